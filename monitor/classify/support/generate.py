"""Generate the labelled support-request training set from the phrase banks in data/support/."""

from __future__ import annotations

import gzip
import json
import random
import re
import tomllib
from pathlib import Path
from typing import Any

from monitor.classify.bundled import data_path
from monitor.core.models import SUPPORT_TOPICS

DATA_DIR = data_path("support")
NOT_SUPPORT = "not_support"
LABELS: tuple[str, ...] = (NOT_SUPPORT, *SUPPORT_TOPICS)
SEPARATORS = {"en": [". ", ", ", " ", "! ", " - "], "zh": ["，", "。", " ", "！", ""]}

_CHOICE = re.compile(r"\(([^()]*\|[^()]*)\)")
_SLOT = re.compile(r"\{(\w+)\}")

Bank = dict[str, Any]


def load_bank(lang: str, data_dir: Path = DATA_DIR) -> Bank:
    """One language's phrase bank (phrases_en.toml or phrases_zh.toml)."""
    return tomllib.loads((data_dir / f"phrases_{lang}.toml").read_text(encoding="utf-8"))


def expand(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    """Fill (a|b) choices and {slot}s until none is left; slot values may hold choices too."""
    for _ in range(4):
        template = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)
        template = _SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), template)
    return re.sub(r" {2,}", " ", template).strip()


def support_line(bank: Bank, lang: str, topic: str, rng: random.Random) -> str:
    """A support request: optional opener, a topic core (sometimes two), detail and ask."""
    if rng.random() < 0.35:
        return _framed(bank, bank["acts"][topic], rng)
    cores = bank["support"][topic]["core"]
    if "story" in bank and rng.random() < 0.2:
        return _story(bank, rng.choice(cores), rng)
    core = rng.choice(cores)
    if rng.random() < 0.15:
        core += rng.choice(SEPARATORS[lang]) + rng.choice(cores)
    parts = [rng.choice(bank["open"]["lines"]), core, rng.choice(bank["detail"]["lines"])]
    return expand("".join(parts) + rng.choice(bank["ask"]["lines"]), bank["slots"], rng)


def negative_line(bank: Bank, lang: str, rng: random.Random) -> str:
    """A non-request: a hard negative or chatter, sometimes addressed to the
    brand, sometimes two lines."""
    if rng.random() < 0.3:
        return _framed(bank, bank["acts"]["negative"], rng)
    groups = bank["negative"]
    if "story" in bank and rng.random() < 0.15:
        return _story(
            bank,
            rng.choice(bank["story"]["negative_core"] + groups["praise"] + groups["opinion"]),
            rng,
        )
    line = rng.choice(groups[rng.choice(sorted(groups))])
    if rng.random() < 0.2:
        line += rng.choice(SEPARATORS[lang]) + rng.choice(groups["chatter"] + groups["opinion"])
    if rng.random() < 0.25:
        line = "{brand} " + line
    return expand(line, bank["slots"], rng)


def _framed(bank: Bank, acts: list[str], rng: random.Random) -> str:
    """A request frame ("how do I ...", "怎么...") around an act: the frame
    alone never decides the label."""
    line = rng.choice(bank["frames"]["lines"]).replace("{act}", rng.choice(acts))
    return expand(rng.choice(bank["open"]["lines"]) + line, bank["slots"], rng)


def vocabulary(bank: Bank) -> list[str]:
    """Whole English words of MiniLM's vocabulary (in id order, as in its vocab.txt) minus every
    word the support phrases use."""
    tokenizer = json.loads((DATA_DIR / "model" / "tokenizer.json").read_text(encoding="utf-8"))
    ids: dict[str, int] = tokenizer["model"]["vocab"]
    lines = sorted(ids, key=ids.__getitem__)
    support_text = json.dumps([bank["support"], bank["acts"]])
    used = set(re.findall(r"[a-z]+", support_text.lower()))
    return [w for w in lines if w.isalpha() and w.isascii() and len(w) > 2 and w not in used]


def salad_line(words: list[str], rng: random.Random) -> str:
    """A random run of everyday words: teaches that general vocabulary is no sign of a request."""
    line = " ".join(rng.choice(words) for _ in range(rng.randint(3, 25)))
    return (
        rng.choice(["", "@user ", "RT ", "#"])
        + line
        + rng.choice(["", ".", "!", "?", " 😂", " #news", " http://t.co/x"])
    )


def _story(bank: Bank, core: str, rng: random.Random) -> str:
    """A review-style post: context, the core sentence, then one or two
    closing complaints or compliments."""
    story = bank["story"]
    closers = rng.sample(story["after"] + story["positive_after"], rng.randint(1, 2))
    line = " ".join([rng.choice(story["before"]), core[:1].upper() + core[1:] + ".", *closers])
    return expand(line.replace("?.", "?"), bank["slots"], rng)


def noisy(text: str, lang: str, rng: random.Random) -> str:
    """Informal variants people really type: lower case, no final stop, typos, shouting."""
    r = rng.random()
    if lang == "en" and r < 0.35:
        text = text.lower()
    elif lang == "en" and r < 0.40:
        text = text.upper()
    if rng.random() < 0.3:
        text = text.rstrip(".?!。？！")
    if lang == "en" and rng.random() < 0.15:
        text = _typo(text, rng)
    return text


def _typo(text: str, rng: random.Random) -> str:
    """Swap or drop one letter inside one longer word."""
    words = text.split(" ")
    long_ones = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not long_ones:
        return text
    i = rng.choice(long_ones)
    w, j = words[i], rng.randrange(1, len(words[i]) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)


def rows(lang: str, per_topic: int, seed: int, data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    """Unique rows for one language: per_topic per topic, as many negatives as
    all topics (+ English salads)."""
    rng, bank = random.Random(f"{seed}-{lang}"), load_bank(lang, data_dir)
    salads = salad_rows(bank, lang, per_topic, rng) if lang == "en" else []
    wanted = [(topic, per_topic) for topic in SUPPORT_TOPICS] + [
        (NOT_SUPPORT, per_topic * len(SUPPORT_TOPICS))
    ]
    out: dict[str, str] = {}
    for label, count in wanted:
        made, tries = 0, 0
        while made < count and tries < count * 20:  # small banks (api) run out of new lines
            tries += 1
            line = (
                negative_line(bank, lang, rng)
                if label == NOT_SUPPORT
                else support_line(bank, lang, label, rng)
            )
            line = noisy(line, lang, rng)
            if line not in out:
                out[line], made = label, made + 1
    return [{"text": t, "label": label, "lang": lang} for t, label in out.items()] + salads


def salad_rows(bank: Bank, lang: str, count: int, rng: random.Random) -> list[dict[str, str]]:
    """2 x count word-salad negatives (English only: Chinese chatter
    already covers its vocabulary)."""
    words = vocabulary(bank)
    return [
        {"text": salad_line(words, rng), "label": NOT_SUPPORT, "lang": lang}
        for _ in range(count * 2)
    ]


def write(path: Path, per_topic: int = 1500, seed: int = 0) -> list[dict[str, str]]:
    """Generate both languages, shuffle with the seed and write them as gzipped JSON lines."""
    data = rows("en", per_topic, seed) + rows("zh", per_topic, seed)
    random.Random(seed).shuffle(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the gzip bytes identical across runs with the same seed
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in data).encode("utf-8")
        )
    return data
