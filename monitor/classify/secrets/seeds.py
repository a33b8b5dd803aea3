"""Finds BIP39 seed phrases in every language the `mnemonic` package ships, checksum validated."""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import mnemonic
from mnemonic import Mnemonic

from monitor.classify import derived
from monitor.classify.impersonation.skeleton import CONFUSABLES
from monitor.classify.secrets import views
from monitor.classify.secrets.match import SecretMatch

INDEX_FILE = "bip39_index.pickle"  # under data/derived/: derive_index(), shipped
PHRASE_LENGTHS = (24, 21, 18, 15, 12)
MIN_RUN = 11  # an 11-word run is a phrase missing one word: still a leak
MAX_FAILING_RUN = 26  # longer runs without a valid checksum are lists or prose, not one phrase
MAX_WINDOWS = 20_000  # checksum budget per text, so a 1 MB run of list words stays fast
FRAGMENT_MIN = 4  # words in one part of a phrase cut by prose
FRAGMENT_GAP = 160  # characters of prose between two parts
VALID_SCORE = 0.97
FAILING_SCORE = 0.7

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_MARKS = "\u0300-\u036f\u3099\u309a"  # combining marks of NFD/NFKD text (é, が, й)
# One CJK ideograph is one Chinese BIP39 word; other words are runs of letters (bounded).
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W\d_{_CJK}](?:[^\W\d_{_CJK}]|[{_MARKS}]){{0,24}}")
# A run of Latin letters long enough to be twelve English words typed with nothing between them.
_GLUED_RE = re.compile(r"(?<![A-Za-z])[A-Za-z]{33,}+(?![A-Za-z])")
_SEP = r"\s,，、;；.。:：\-–—()（）\[\]#|/*\"'•·"
# Between two words: separators, optionally one list number ("\n2. ", " 3) ", "4-").
_GAP_RE = re.compile(rf"[{_SEP}]{{0,8}}(?:\d{{1,2}}[{_SEP}]{{0,6}})?")
_MAX_GAP = 14
_CONTEXT_RE = re.compile(
    r"seed|mnemonic|phrase|recovery|words|backup|secret|助记词|助記詞|种子|種子|恢复短语|恢復短語"
    r"|私钥|私鑰|密语|備份|备份",
    re.IGNORECASE,
)
_CONTEXT_BEFORE, _CONTEXT_AFTER = 80, 40
_AFTER_CONTEXT_RE = re.compile(rf"(?:{_CONTEXT_RE.pattern}).{{0,2}}$", re.IGNORECASE)
_BEFORE_CONTEXT_RE = re.compile(rf".{{0,2}}(?:{_CONTEXT_RE.pattern})", re.IGNORECASE)
_PROSE_RANK = 500  # Chinese wordlists are ordered by frequency
# Very common English words that are also BIP39 words: a run full of them is prose.
_COMMON_ENGLISH = (
    "about above across act add again age all almost alone also always among any area "
    "around ask away because become before begin behind below best better between bird "
    "body book boy bring call can car case catch cause change city come copy cost country "
    "course cover cry day deal door dream during early easy either else end enough enjoy "
    "exact family fine first follow food friend fun future game girl give glad good great "
    "grow guess half hand happy have hard head heart help high hold home hope hour idea "
    "into job just keep kind know large later learn leave left life like little live long "
    "love make man matter mean mind minute miss moment more morning mother move much must "
    "name near need never news next nice night noise normal now number off often okay old "
    "once one only open order other over own pair pass people place play please point "
    "power pretty problem public put quick rather real reason remain report right road "
    "room run same say school second sense seven share short side simple since sing six "
    "small social soon sorry sound speak spend start stay step still story stuff such sure "
    "talk team tell ten thank that then there they thing this three time today together "
    "tomorrow tonight top toward true try turn twelve twenty two under until upon use "
    "usual very view wait walk want way what when where wide will wish woman wonder word "
    "work world worry write wrong year you young"
)
_COMMON = frozenset(_COMMON_ENGLISH.split()) | frozenset(
    "的一是在不了有和人这中大为上个我以要他时来们到说就你也会对"
)

# Words that often sit at the edges of a pasted phrase ("... please help"); kept small because
# a mistyped phrase whose own first or last word is trimmed would leak that word.
_FILLER = frozenset(("please", "help", "thank", "you", "hello", "what", "this", "that"))

_Token = tuple[int, int, str]  # (start, end, normalised word)


@dataclass(frozen=True, slots=True)
class _Run:
    """Consecutive wordlist words of one language, joined by separators (or none, for CJK)."""

    tokens: Sequence[_Token]
    indices: Sequence[int]
    lang: str
    unspaced: bool


@lru_cache(maxsize=16384)
def normalise(word: str) -> str:
    """A word as BIP39 compares it: NFKD, lower case."""
    return word.lower() if word.isascii() else unicodedata.normalize("NFKD", word).lower()


@cache
def _index() -> dict[str, dict[str, int]]:
    """derive_index(), read from the shipped file when that was derived from the same wordlists
    and confusables (deriving it takes ~65 ms, reading it ~12); loaded once, on first use."""
    return _shipped_or_derived(derived.load(INDEX_FILE), _sources())


def _shipped_or_derived(shipped: Any, sources: dict[str, str] | None) -> dict[str, dict[str, int]]:
    """The index of a shipped file (as index_file() made it) when it was derived from these
    sources; else, or when they could not be read (None), the index derived now."""
    if isinstance(shipped, dict) and sources is not None and shipped.get("sources") == sources:
        index: dict[str, dict[str, int]] = shipped["index"]
        return index
    return derive_index()


def index_file() -> dict[str, Any]:
    """What the shipped index file holds: the index, and the digests of the files it comes from."""
    return {"sources": _sources(), "index": derive_index()}


def _sources() -> dict[str, str] | None:
    """The SHA-256 of each file derive_index() reads (every wordlist, and the confusables that
    _folded reads through views.fold), by name; None when one cannot be read."""
    # Where Mnemonic reads each language's list from (and lists the languages of).
    wordlists = Path(mnemonic.__file__).parent / "wordlist"
    try:
        files = [wordlists / f"{lang}.txt" for lang in sorted(Mnemonic.list_languages())]
        return {
            f"{file.parent.name}/{file.name}": hashlib.sha256(file.read_bytes()).hexdigest()
            for file in [*files, CONFUSABLES]
        }
    except OSError:
        return None


def derive_index() -> dict[str, dict[str, int]]:
    """Every wordlist's words mapped to {language: index}. Latin words are also listed without
    their accents: the finders' word view drops accents (each list is unique without them), so
    "élève" and "abàndon" read as the words they stand for."""
    index: dict[str, dict[str, int]] = {}
    for lang in sorted(Mnemonic.list_languages()):
        words = [normalise(word) for word in Mnemonic(lang).wordlist]
        for i, form in enumerate(words):
            index.setdefault(form, {})[lang] = i
        for variant in (_bare, _folded):
            forms = [variant(form) for form in words]
            if forms == words:  # nothing to add (English and the other lists without accents)
                continue
            if len(set(forms)) == len(forms):  # a variant that merges two words would misread both
                for i, form in enumerate(forms):
                    index.setdefault(form, {}).setdefault(lang, i)
    return index


def _bare(word: str) -> str:
    """A word without its accents (the words view drops those typed on Latin letters)."""
    if word.isascii():  # no combining marks: most list words, read at every start-up
        return word
    return word.translate(_DROP_MARKS)


class _CombiningMarks(dict[int, int | None]):
    """A str.translate table that drops combining marks, filled as characters are met (a few
    hundred in the wordlists): the same as testing unicodedata.combining on each, in C."""

    def __missing__(self, code: int) -> int | None:
        self[code] = out = None if unicodedata.combining(chr(code)) else code
        return out


_DROP_MARKS = _CombiningMarks()


def _folded(word: str) -> str:
    """A word as the folded words view reads it: accents dropped,
    look-alike letters folded (ı→i)."""
    if word.isascii():  # NFC and _bare leave it as it is
        return views.fold(word).lower()
    return views.fold(unicodedata.normalize("NFC", _bare(word))).lower()


@cache
def _english_by_start() -> tuple[dict[str, str], frozenset[str]]:
    """English words by their first four letters (unique in the list),
    and the three-letter words."""
    words = Mnemonic("english").wordlist
    return {w[:4]: w for w in words if len(w) >= 4}, frozenset(w for w in words if len(w) == 3)


def checksum_ok(indices: Sequence[int]) -> bool:
    """Whether word indices form a BIP39 phrase whose checksum bits match its entropy."""
    return _packed_ok(_packed(indices), len(indices))


def _packed(indices: Sequence[int]) -> int:
    """Word indices (each below 2048) as one number, 11 bits each, the first word highest."""
    value = 0
    for i in indices:
        value = (value << 11) | i
    return value


def _packed_ok(value: int, words: int) -> bool:
    """checksum_ok for the packed indices of `words` words."""
    cs_bits = words // 3
    entropy = (value >> cs_bits).to_bytes((words * 11 - cs_bits) // 8, "big")
    return hashlib.sha256(entropy).digest()[0] >> (8 - cs_bits) == value & ((1 << cs_bits) - 1)


def find(text: str) -> list[SecretMatch]:
    """All BIP39 seed phrases (and long mistyped ones) in text, best per overlapping span."""
    if _few_words(text):
        return []
    words = _words(text)
    if len(words) < MIN_RUN:
        # Every match is a run or a group of parts of at least MIN_RUN distinct words.
        return []
    budget = [MAX_WINDOWS]
    chains = list(_chains(text, words))
    found = [m for run in _runs(chains) for m in _judge(text, run, budget)]
    found += _split_phrases(text, chains, budget)
    return _best(found)


def _few_words(text: str) -> bool:
    """Whether an ASCII text surely has fewer than MIN_RUN wordlist words: _words' count, taken
    in C without building its tokens (most posts are short; a glued run is left to _words)."""
    if not text.isascii() or _GLUED_RE.search(text):
        return False
    return sum(map(_index().__contains__, _TOKEN_RE.findall(text.lower()))) < MIN_RUN


def _words(text: str) -> list[_Token]:
    """The wordlist words of text, with their spans; English words typed without spaces between
    them ("abandonabilityable...") are read one by one."""
    index = _index()
    if text.isascii():
        # normalise() of an ASCII word is its lower case: the text is lowered once, not per word.
        tokens = [
            (m.start(), m.end(), word)
            for m in _TOKEN_RE.finditer(text.lower())
            if (word := m.group()) in index
        ]
    else:
        tokens = [
            (m.start(), m.end(), listed)
            for m in _TOKEN_RE.finditer(text)
            if (listed := _listed(m[0])) is not None
        ]
    glued = list(_GLUED_RE.finditer(text))
    if not glued:
        return tokens
    # A long letter run read above as 25-letter pieces: its words take their place.
    starts = [m.start() for m in glued]
    tokens = [t for t in tokens if not _inside(t[0], starts, glued)]
    return sorted(tokens + [t for m in glued for t in _unglued(m)])


@lru_cache(maxsize=16384)
def _listed(token: str) -> str | None:
    """A token as BIP39 compares it when a wordlist holds it, else None: one cached look-up per
    token (a Chinese post has one per character)."""
    word = normalise(token)
    return word if word in _index() else None


def _inside(pos: int, starts: list[int], runs: list[re.Match[str]]) -> bool:
    """Whether pos falls inside one of the runs (sorted, apart; starts are theirs)."""
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < runs[i].end()


def _unglued(m: re.Match[str]) -> list[_Token]:
    """The English words a run of letters is made of, as tokens that touch ("" between them).

    Greedy, longest word first unless the next word cannot start after it; positions where no
    word starts are skipped one letter at a time, so the work is linear in the run's length.
    """
    run = m.group().lower()
    if len(set(run)) < 8:
        return []  # "aaaa…", "abab…": too few letters to hold twelve random words
    by_start, short = _english_by_start()
    tokens: list[_Token] = []
    i = 0
    while i < len(run) - 2:
        word = _word_at(run, i, by_start, short)
        if word is None:
            i += 1
            continue
        tokens.append((m.start() + i, m.start() + i + len(word), word))
        i += len(word)
    return tokens


def _word_at(run: str, i: int, by_start: dict[str, str], short: frozenset[str]) -> str | None:
    """The English list word that starts run at i (the one a following word can go on from)."""
    long = by_start.get(run[i : i + 4])
    long = long if long is not None and run.startswith(long, i) else None
    three = run[i : i + 3] if run[i : i + 3] in short else None
    if long and three:
        after = i + len(long)
        return long if after == len(run) or _word_at(run, after, by_start, short) else three
    return long or three


def _link(text: str, a: _Token, b: _Token) -> str | None:
    """How two neighbouring words join: "unspaced" (CJK), "spaced", or None (not one phrase)."""
    if a[1] == b[0]:
        if len(a[2]) == len(b[2]) == 1:
            return "unspaced"
        # English words read out of one glued run: as good as spaced.
        return "spaced" if a[2].isascii() and b[2].isascii() else None
    gap = text[a[1] : b[0]]
    if len(gap) <= _MAX_GAP and _GAP_RE.fullmatch(gap):
        return "spaced"
    return None


def _chains(text: str, words: list[_Token]) -> Iterator[tuple[list[_Token], bool]]:
    """Maximal chains of words joined the same way, each with its "unspaced" flag."""
    chain: list[_Token] = words[:1]
    mode: str | None = None
    for a, b in pairwise(words):
        link = _link(text, a, b)
        if link is not None and mode in (None, link):
            chain.append(b)
            mode = link
            continue
        yield chain, mode == "unspaced"
        # On a change of joining (a label then unspaced CJK), the last word can start the new chain.
        chain, mode = ([a, b], link) if link is not None else ([b], None)
    if chain:
        yield chain, mode == "unspaced"


def _runs(chains: list[tuple[list[_Token], bool]], minimum: int = MIN_RUN) -> Iterator[_Run]:
    """Runs of at least `minimum` chained words that all belong to one language's wordlist."""
    index = _index()
    for chain, unspaced in chains:
        if len(chain) < minimum:
            continue
        langs = {lang for t in chain for lang in index[t[2]]}
        for lang in sorted(langs):
            yield from _split_by_language(chain, lang, unspaced, minimum)


def _split_by_language(
    chain: list[_Token], lang: str, unspaced: bool, minimum: int
) -> Iterator[_Run]:
    """The maximal stretches of chain whose words are all in lang's wordlist."""
    index = _index()
    start = 0
    for end in range(len(chain) + 1):
        if end < len(chain) and lang in index[chain[end][2]]:
            continue
        if end - start >= minimum:
            part = chain[start:end]
            yield _Run(part, [index[t[2]][lang] for t in part], lang, unspaced)
        start = end + 1


def _split_phrases(
    text: str, chains: list[tuple[list[_Token], bool]], budget: list[int]
) -> list[SecretMatch]:
    """A phrase cut into parts with prose between them ("first six: … and the rest later: …").

    Parts are spaced runs of at least FRAGMENT_MIN random-looking words of one language, within
    FRAGMENT_GAP characters of each other; the writer's own words at a part's edges may or may
    not belong to it. Together the parts must pass the checksum, or make MIN_RUN words near a
    seed word.
    """
    spaced = [(chain, False) for chain, unspaced in chains if not unspaced]
    parts = sorted(
        (p for run in _runs(spaced, FRAGMENT_MIN) if (p := _part(run)) is not None),
        key=lambda p: p.run.tokens[0][0],
    )
    found: list[SecretMatch] = []
    group: list[_Part] = []
    for part in [*parts, None]:
        if (
            part is not None
            and group
            and part.run.lang == group[-1].run.lang
            and part.run.tokens[0][0] - group[-1].run.tokens[-1][1] <= FRAGMENT_GAP
        ):
            group.append(part)
            continue
        if len(group) > 1:
            found += _judge_parts(text, group, budget)
        group = [part] if part is not None else []
    return found


@dataclass(frozen=True, slots=True)
class _Part:
    """A run that may be part of a phrase: how many prose words at each edge it may lose."""

    run: _Run
    lead: int
    trail: int

    def cuts(self) -> list[tuple[int, int]]:
        """Every way of dropping some of the edge words: (first, end) word indices."""
        n = len(self.run.tokens)
        return [(i, j) for i in range(self.lead + 1) for j in range(n - self.trail, n + 1)]


def _part(run: _Run) -> _Part | None:
    """A run as a part of a phrase: the common words at its edges may be the writer's or the
    phrase's (random phrases hold common words too: "speak become deal"), so both are tried; the
    group's checksum and common words decide (_judge_parts)."""
    n = len(run.tokens)
    i = 0
    while i < n - 1 and _is_prose(run.tokens[i][2]):
        i += 1
    j = n
    while j > i + 1 and _is_prose(run.tokens[j - 1][2]):
        j -= 1
    return _Part(run, i, n - j)


MAX_CUTS = 256  # ways of trimming a group's parts tried against the checksum


def _judge_parts(text: str, parts: list[_Part], budget: list[int]) -> list[SecretMatch]:
    """Matches for each part of a phrase written in parts, when together they make one."""
    context = _has_context(text, parts[0].run.tokens[0][0], parts[-1].run.tokens[-1][1])
    chosen = _valid_cuts(parts, budget)
    valid = chosen is not None
    if chosen is None:
        chosen = [(p.lead, len(p.run.tokens) - p.trail) for p in parts]
    pieces = [p.run.tokens[i:j] for p, (i, j) in zip(parts, chosen)]
    share = _common_share([t for piece in pieces for t in piece])
    # A 12-word checksum is 4 bits, and a group has many cuts: prose needs a seed word nearby or
    # few common words. Without the checksum, only parts too short to be judged alone are joined.
    if valid and not (context or share <= 0.5):
        return []
    short = all(len(piece) < MIN_RUN for piece in pieces)
    if not valid and not (context and short and sum(map(len, pieces)) >= MIN_RUN and share <= 0.34):
        return []
    count = sum(len(piece) for piece in pieces)
    value = " ".join(t[2] for piece in pieces for t in piece)
    status = "checksum valid" if valid else "checksum fails (possibly mistyped)"
    detail = f"{count} words in {len(pieces)} parts, {_language_name(parts[0].run.lang)}, {status}"
    return [
        SecretMatch(
            piece[0][0],
            piece[-1][1],
            "seed_phrase",
            VALID_SCORE if valid else FAILING_SCORE,
            detail,
            f"[seed phrase removed: part {n} of {len(pieces)}]",
            value,
        )
        for n, piece in enumerate(pieces, start=1)
    ]


def _valid_cuts(parts: list[_Part], budget: list[int]) -> list[tuple[int, int]] | None:
    """The trimming of each part under which the parts together pass the checksum, if any."""
    for cuts in itertools.islice(itertools.product(*(p.cuts() for p in parts)), MAX_CUTS):
        indices = [x for p, (i, j) in zip(parts, cuts) for x in p.run.indices[i:j]]
        if len(indices) not in PHRASE_LENGTHS:
            continue
        budget[0] -= 1
        if budget[0] >= 0 and checksum_ok(indices):
            return list(cuts)
    return None


def _judge(text: str, run: _Run, budget: list[int]) -> list[SecretMatch]:
    """Matches in one run: checksum-valid windows, then leftover
    stretches that look like a phrase."""
    context = _has_context(text, run.tokens[0][0], run.tokens[-1][1])
    # Unspaced text without a seed word near: only a window filling the whole run is plausible
    # (_unspaced_ok), and Chinese prose makes thousands of such runs: no other is checksummed.
    whole_only = run.unspaced and not context
    windows = _valid_windows(run, budget, lambda w: _plausible(text, run, w, context), whole_only)
    if not run.unspaced and not run.lang.startswith("chinese"):
        # One Chinese character is a word: widening would take the writer's own (助记词's 词).
        windows = [_widen(run, w) for w in windows]
    matches = [_match(run, i, j, n, valid=True) for i, j, n in windows]
    if not run.unspaced:
        matches += _leftovers(run, windows, context)
    return matches


def _plausible(text: str, run: _Run, window: tuple[int, int, int], context: bool) -> bool:
    """Whether a checksum-valid window is a phrase rather than prose that passed by chance."""
    if run.unspaced:
        return _unspaced_ok(text, run, window, context)
    i, j, _ = window
    if context or _repetitive(run.indices[i:j]):
        return True
    return _common_share(run.tokens[i:j]) <= 0.67


def _unspaced_ok(text: str, run: _Run, window: tuple[int, int, int], context: bool) -> bool:
    """Whether a checksum-valid window of unspaced CJK text is a phrase rather than prose.

    Ordinary Chinese is made of list characters and any 12-character window passes the checksum
    one time in 16, so a window must not read like prose and must fill its run exactly or, with
    context nearby, touch a run edge or a context word at one end.
    """
    i, j, _ = window
    if _reads_like_chinese(run.indices[i:j]):
        return False
    if not context:
        return i == 0 and j == len(run.tokens)
    start, end = run.tokens[i][0], run.tokens[j - 1][1]
    return (
        i == 0
        or j == len(run.tokens)
        or _AFTER_CONTEXT_RE.search(text, max(0, start - 8), start) is not None
        or _BEFORE_CONTEXT_RE.match(text, end, end + 8) is not None
    )


def _reads_like_chinese(indices: Sequence[int]) -> bool:
    """Prose draws most characters from the commonest 500 of the list;
    random phrases about 1 in 4."""
    if _repetitive(indices):
        return False
    return sum(i < _PROSE_RANK for i in indices) * 12 >= 7 * len(indices)


def _repetitive(indices: Sequence[int]) -> bool:
    """Whether words repeat in a way prose does not (a word over and over, a 3-word cycle).

    Such runs come from low-entropy tests and dev wallets (e.g. all-zero entropy), so the
    checksum alone decides them.
    """
    if len(set(indices)) * 2 < len(indices):
        return True
    triples = list(zip(indices, indices[1:], indices[2:]))
    return len(set(triples)) < len(triples)


def _valid_windows(
    run: _Run,
    budget: list[int],
    plausible: Callable[[tuple[int, int, int]], bool],
    whole_only: bool = False,
) -> list[tuple[int, int, int]]:
    """Non-overlapping plausible checksum-valid windows (start, end, words), longest first;
    whole_only: plausible() passes no window but the whole run's, so no other is tried."""
    chosen: list[tuple[int, int, int]] = []
    # The run packed once: a window's packed indices are a shift and a mask of it, not a loop.
    total = len(run.indices)
    whole = _packed(run.indices)
    for n in PHRASE_LENGTHS:
        if whole_only and n != total:
            # The windows still spend budget, as if tried: only its sign is ever read, and it
            # turns negative here exactly when trying them one by one would have.
            budget[0] -= max(0, total - n + 1)
            if budget[0] < 0:
                return chosen
            continue
        mask = (1 << (11 * n)) - 1
        for i in range(total - n + 1):
            budget[0] -= 1
            if budget[0] < 0:
                return chosen
            window = (whole >> (11 * (total - i - n))) & mask
            if _packed_ok(window, n) and plausible((i, i + n, n)):
                chosen = _add_window(chosen, (i, i + n, n))
    return chosen


def _widen(run: _Run, window: tuple[int, int, int]) -> tuple[int, int, int]:
    """A valid window grown over the run's uncommon words on either side: a longer phrase whose
    shorter part passed the checksum by chance must not leave its other words behind."""
    i, j, n = window
    while i > 0 and not _is_prose(run.tokens[i - 1][2]):
        i -= 1
    while j < len(run.tokens) and not _is_prose(run.tokens[j][2]):
        j += 1
    return i, j, n


def _is_prose(word: str) -> bool:
    """Whether a word next to a phrase is more likely the writer's than the phrase's."""
    return word in _COMMON or _is_filler(word)


def _add_window(
    chosen: list[tuple[int, int, int]], new: tuple[int, int, int]
) -> list[tuple[int, int, int]]:
    """Add a window, merged into any it overlaps (keeping the longer phrase length)."""
    i, j, _ = new
    for k, (a, b, m) in enumerate(chosen):
        if i < b and a < j:
            # Overlapping windows: one is the true phrase, the other passed by chance (1 in 16
            # for 12 words). Which is which is unknowable, so redact both.
            return chosen[:k] + [(min(a, i), max(b, j), m)] + chosen[k + 1 :]
    return chosen + [new]


def _leftovers(run: _Run, windows: list[tuple[int, int, int]], context: bool) -> list[SecretMatch]:
    """Stretches of a spaced run outside valid windows that still look like a (mistyped) phrase."""
    cuts = [0] + [x for w in sorted(windows) for x in w[:2]] + [len(run.tokens)]
    out: list[SecretMatch] = []
    for i, j in zip(cuts[::2], cuts[1::2]):
        i, j = _trim(run.tokens, i, j)
        if _looks_like_phrase(run.tokens[i:j], context):
            out.append(_match(run, i, j, j - i, valid=False))
    return out


def _trim(tokens: Sequence[_Token], i: int, j: int) -> tuple[int, int]:
    """Drop filler and context words from both ends ("seed phrase ...", "... please help")."""
    while i < j and _is_filler(tokens[i][2]):
        i += 1
    while j > i and _is_filler(tokens[j - 1][2]):
        j -= 1
    return i, j


def _is_filler(word: str) -> bool:
    """Whether a word at the edge of a run is more likely prose or context than phrase."""
    return word in _FILLER or _CONTEXT_RE.fullmatch(word) is not None


def _looks_like_phrase(tokens: Sequence[_Token], context: bool) -> bool:
    """Whether a run failing its checksum still looks like a leaked phrase rather than prose."""
    limit = MAX_FAILING_RUN + (4 if context else 0)
    if not MIN_RUN <= len(tokens) <= limit:
        return False
    if len({t[2] for t in tokens}) * 2 < len(tokens):
        return False  # "hello hello hello ...": repetition, not random words
    # Random phrases: about 1 word in 8 is common, so 6 of 12 happens about 1 time in 300.
    return _common_share(tokens) <= (0.67 if context else 0.5)


def _common_share(tokens: Sequence[_Token]) -> float:
    """The share of tokens that are very common words (high in prose, low in random phrases)."""
    return sum(t[2] in _COMMON for t in tokens) / len(tokens)


def _has_context(text: str, start: int, end: int) -> bool:
    """Whether a seed-phrase context word appears near (or inside) a span."""
    near = text[max(0, start - _CONTEXT_BEFORE) : end + _CONTEXT_AFTER]
    return _CONTEXT_RE.search(near) is not None


def _language_name(lang: str) -> str:
    """A readable language name: "chinese_simplified" -> "Chinese (simplified)"."""
    base, _, variant = lang.partition("_")
    return f"{base.title()} ({variant})" if variant else base.title()


def _match(run: _Run, i: int, j: int, count: int, valid: bool) -> SecretMatch:
    """The SecretMatch for words i..j of a run."""
    tokens = run.tokens[i:j]
    status = "checksum valid" if valid else "checksum fails (possibly mistyped)"
    return SecretMatch(
        start=tokens[0][0],
        end=tokens[-1][1],
        label="seed_phrase",
        score=VALID_SCORE if valid else FAILING_SCORE,
        detail=f"{count} words, {_language_name(run.lang)}, {status}",
        placeholder=f"[seed phrase removed: {count} words]",
        value=" ".join(t[2] for t in tokens),
    )


def _best(found: list[SecretMatch]) -> list[SecretMatch]:
    """Keep the best of overlapping matches (a phrase can read as two languages): score, length."""
    kept: list[SecretMatch] = []
    for m in sorted(found, key=lambda m: (-m.score, m.start - m.end)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
