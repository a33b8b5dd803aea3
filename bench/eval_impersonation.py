"""Measure the impersonation detector on the third-party eval sets (read only, never shipped)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import zlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from misspelled_hosts import blocklists, misspelled, prototypes
from rapidfuzz.distance import Levenshtein

from monitor.classify import BrandRegistry, ImpersonationDetector, hosts, normalise
from monitor.classify.impersonation.domains import (
    decode_label,
    host_labels,
    host_signal,
    lookalike,
    subdomain_trick,
)
from monitor.classify.impersonation.handles import handle_signals
from monitor.classify.impersonation.hostnames import foreign_front, lure_named
from monitor.classify.impersonation.mentions import mention_signals
from monitor.classify.impersonation.skeleton import skeletons
from monitor.classify.impersonation.staff import staff_signals
from monitor.classify.impersonation.typos import typo_cost
from monitor.core.config import Brand, load
from monitor.core.models import Author, Post

FLAG = 0.5
# Brands the eval sets name, with their real domains and main X handles (written from public
# knowledge, not from the eval files). Crypto.com is left out: its name is the word "crypto".
BRANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "okx": (("okx.com", "okex.com"), ("okx", "OKXHelpDesk")),
    "binance": (("binance.com", "binance.us", "binance.vision"), ("binance", "BinanceHelpDesk")),
    "coinbase": (("coinbase.com",), ("coinbase", "CoinbaseSupport")),
    "kraken": (("kraken.com",), ("krakenfx", "KrakenSupport")),
    "metamask": (("metamask.io",), ("MetaMask", "MetaMaskSupport")),
    "myetherwallet": (("myetherwallet.com",), ("myetherwallet",)),
    "mycrypto": (("mycrypto.com",), ("MyCrypto",)),
    "ledger": (("ledger.com",), ("Ledger", "LedgerSupport")),
    "trezor": (("trezor.io",), ("Trezor",)),
    "uniswap": (("uniswap.org",), ("Uniswap",)),
    "opensea": (("opensea.io",), ("opensea",)),
    "blockchain": (("blockchain.com",), ("blockchain",)),
    "trustwallet": (("trustwallet.com",), ("TrustWallet",)),
    "phantom": (("phantom.app",), ("phantom",)),
    "exodus": (("exodus.com",), ("exodus_io",)),
    "kucoin": (("kucoin.com",), ("kucoincom",)),
    "bitget": (("bitget.com",), ("bitgetglobal",)),
    "gemini": (("gemini.com",), ("Gemini",)),
    "bybit": (("bybit.com",), ("Bybit_Official",)),
    "bittrex": (("bittrex.com",), ("BittrexGlobal",)),
    "poloniex": (("poloniex.com",), ("Poloniex",)),
    "electrum": (("electrum.org",), ("ElectrumWallet",)),
    "idex": (("idex.io",), ("idexio",)),
    "etherdelta": (("etherdelta.com",), ("etherdelta",)),
    "hitbtc": (("hitbtc.com",), ("hitbtc",)),
    "paxful": (("paxful.com",), ("paxful",)),
    "shapeshift": (("shapeshift.com",), ("ShapeShift",)),
}
SCAMDB_BRANDS = {
    "MyEtherWallet",
    "Binance",
    "Coinbase",
    "Kraken",
    "MetaMask",
    "Uniswap",
    "Ledger",
    "Trezor",
    "Bittrex",
    "Poloniex",
    "HitBTC",
    "Paxful",
    "Electrum",
    "MyCrypto",
    "Idex",
    "EtherDelta",
    "Opensea",
    "Shapeshift",
}


def brand(key: str) -> Brand:
    """A Brand for one entry of BRANDS."""
    domains, handles = BRANDS[key]
    return Brand(
        name=key,
        domains=domains,
        live_chat_url="",
        ticket_url="",
        accounts={p: handles for p in ("twitter", "telegram", "discord", "reddit")},
    )


REGISTRIES = {k: BrandRegistry.from_brand(brand(k)) for k in BRANDS}


@cache  # several measurements read the same set (Janitr, TweetEval): each file is read once
def read_csv(path: Path) -> list[dict[str, str]]:
    """All rows of a CSV file (callers only read them)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def half(key: str) -> str:
    """'dev' or 'test', fixed by a hash of the row's key (thresholds were tuned on dev only)."""
    return "dev" if zlib.crc32(key.encode()) % 2 == 0 else "test"


def prf(pairs: Iterable[tuple[bool, bool]]) -> str:
    """Precision, recall and counts for (truth, predicted) pairs."""
    tp = fp = fn = tn = 0
    for truth, pred in pairs:
        tp += truth and pred
        fp += pred and not truth
        fn += truth and not pred
        tn += not truth and not pred
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return f"precision {p:.3f} recall {r:.3f} (tp {tp} fp {fp} fn {fn} tn {tn})"


def flagged(detector: ImpersonationDetector, post: Post) -> bool:
    """True when the detector flags the post at the default threshold."""
    return any(f.score >= FLAG for f in detector.check(post))


def janitr(root: Path, detector: ImpersonationDetector) -> None:
    """Scam / phishing / impersonation X posts vs the rest, dev and test halves."""
    rows = read_csv(root / "scam_x_posts_janitr_internetcondom/janitr_sample_labeled.csv")
    results: dict[str, list[tuple[bool, bool]]] = {"dev": [], "test": []}
    start = time.perf_counter()
    for row in rows:
        results[half(row["id"])].append((row["is_scam"] == "1", flagged(detector, x_post(row))))
    rate = len(rows) / (time.perf_counter() - start)
    for name, pairs in results.items():
        print(f"janitr {name:4} ({len(pairs)} posts): {prf(pairs)}")
    print(f"speed: {rate:.0f} posts/s single-threaded over {len(rows)} Janitr posts")


def x_post(row: dict[str, str]) -> Post:
    """A Janitr row as a Post; a text starting with @ is taken to be a reply."""
    parts = row["source_url"].split("/")
    handle = parts[3] if len(parts) > 3 else "unknown"
    text = row["text"]
    return Post(
        "twitter",
        row["id"],
        Author("twitter", handle, handle),
        text,
        reply_to="parent" if text.lstrip().startswith("@") else None,
    )


def tg_spam(root: Path, detector: ImpersonationDetector) -> None:
    """English rows of tg-spam: spam vs ham in Telegram groups."""
    rows = [
        r
        for r in read_csv(root / "spam_tg_spam_umputun/tg_spam_ham_samples.csv")
        if r["lang"] == "en"
    ]
    # split since the testimonial and recruiter rules were written on dev
    for name in ("dev", "test"):
        part = [r for r in rows if half(r["text"]) == name]
        pairs = [
            (
                r["label"] == "spam",
                flagged(
                    detector,
                    Post(
                        "telegram",
                        str(i),
                        Author("telegram", "u", "user"),
                        r["text"],
                        channel="group",
                    ),
                ),
            )
            for i, r in enumerate(part)
        ]
        print(f"tg-spam EN, {name} ({len(part)} rows): {prf(pairs)}")


def english_negatives(root: Path, detector: ImpersonationDetector) -> None:
    """Ordinary tweets and SMS (ham), each read as a reply to someone, the
    context that scores highest."""
    sms = (
        line.split("\t", 1)
        for line in (root / "spam_sms_spam_collection_uci/SMSSpamCollection.tsv")
        .read_text(encoding="utf-8", errors="replace")
        .splitlines()
        if "\t" in line
    )
    sets = {
        "TweetEval tweets": [
            r["text"] for r in read_csv(root / "negatives_tweeteval/tweeteval_test_sample.csv")
        ],
        "SMS ham": [text for label, text in sms if label == "ham"],
    }
    for label, texts in sets.items():
        # split since the reply weight of a plain "DM me" was set on dev
        for name in ("dev", "test"):
            part = [t for t in texts if half(t) == name]
            hits = [
                t
                for i, t in enumerate(part)
                if flagged(
                    detector,
                    Post("twitter", str(i), Author("twitter", "u", "user"), t, reply_to="p"),
                )
            ]
            print(f"{label} as replies, {name}: {len(hits)}/{len(part)} flagged {hits[:2]}")


def chinese(root: Path, detector: ImpersonationDetector) -> None:
    """Chinese: model-written fake customer-service texts vs normal texts (a sanity check, not real
    text), and real Weibo posts and Alipay customer questions, which must not flag."""
    rows = read_csv(
        root
        / (
            "scam_zh_telecom_fraud_texts5_SEMISYNTHETIC/"
            "telecom_fraud_zh_customer_service_vs_normal.csv"
        )
    )
    results: dict[str, list[tuple[bool, bool]]] = {"dev": [], "test": []}
    for i, r in enumerate(rows):
        post = Post("telegram", str(i), Author("telegram", "u", "user"), r["text"], channel="dm")
        results[half(r["text"])].append((r["label"] != "normal", flagged(detector, post)))
    for name, pairs in results.items():
        print(
            f"zh fake customer service, semi-synthetic, {name} ({len(pairs)} texts): {prf(pairs)}"
        )
    for label, path in (
        ("weibo posts", "negatives_zh_weibo_senti_subset/weibo_senti_subset.csv"),
        ("afqmc customer questions", "support_zh_afqmc/afqmc_dev_unique_questions.csv"),
    ):
        texts = [r["text"] for r in read_csv(root / path)]
        fps = [
            t
            for i, t in enumerate(texts)
            if flagged(
                detector, Post("weibo", str(i), Author("weibo", "u", "user"), t, channel="group")
            )
        ]
        print(f"zh {label}: {len(fps)}/{len(texts)} flagged {fps[:3]}")


def twcs(root: Path) -> None:
    """Brand agents' real 'please DM us' replies: never flagged from the
    agent, flagged from a look-alike."""
    rows = [
        r for r in read_csv(root / "support_twcs_sample/twcs_sample.csv") if r["inbound"] == "False"
    ]
    official = lookalike = 0
    for r in rows:
        agent = r["author_id"]
        det = ImpersonationDetector(
            Brand(
                name=agent,
                domains=(),
                live_chat_url="",
                ticket_url="",
                accounts={"twitter": (agent,)},
            )
        )
        post = Post(
            "twitter", r["tweet_id"], Author("twitter", agent, agent), r["text"], reply_to="parent"
        )
        official += flagged(det, post)
        fake = agent.replace("o", "0", 1) if "o" in agent else agent + "_"
        lookalike += flagged(
            det, Post("twitter", "x", Author("twitter", fake, fake), r["text"], reply_to="parent")
        )
    print(
        f"twcs agents ({len(rows)} replies): flagged from the official account {official}, "
        f"from a look-alike handle {lookalike}/{len(rows)}"
    )


def handle_hits(handle: str) -> list[str]:
    """The bench brands whose look-alike this handle is."""
    return [
        k
        for k, reg in REGISTRIES.items()
        if not any(reg.is_official(p, handle) for p in reg.official)
        and any(s.label and s.weight >= FLAG for s in handle_signals(handle, reg))
    ]


def handles(root: Path) -> None:
    """CryptoScamDB scam handles, and ordinary X handles (Janitr authors,
    non-scam rows) as negatives."""
    scam = json.loads(
        (root / "phishing_cryptoscamdb/twitter_scam_accounts.json").read_text()
    ).values()
    hits = {h: handle_hits(h) for h in scam}
    print(
        f"cryptoscamdb handles: {sum(bool(v) for v in hits.values())}/{len(hits)} flagged as a "
        "look-alike of a bench brand"
    )
    for h, v in hits.items():
        print(f"   {'FLAG' if v else '    '} {h} {','.join(v)}")
    rows = read_csv(root / "scam_x_posts_janitr_internetcondom/janitr_sample_labeled.csv")
    ordinary = {
        r["source_url"].split("/")[3]
        for r in rows
        if r["is_scam"] == "0" and r["source_url"].count("/") > 3
    }
    fps = {h: v for h in ordinary if (v := handle_hits(h))}
    print(
        f"ordinary X handles: {len(fps)}/{len(ordinary)} flagged "
        f"({len(fps) / len(ordinary):.2%}): {sorted(fps.items())[:10]}"
    )


# The account each CryptoScamDB scam handle imitates, where one is clear (written by us from public
# knowledge; the others, such as lop427, imitate no one by their handle).
CLONED = {
    "cz_binatce": "cz_binance",
    "BlnanceLabs": "BinanceLabs",
    "blinance9": "binance",
    "AmberBaldet30": "AmberBaldet",
    "AmberBaldet93": "AmberBaldet",
    "AmberBaldet76": "AmberBaldet",
    "AmberBaldet6": "AmberBaldet",
    "giacommozucco": "giacomozucco",
    "AuctusProjetc": "AuctusProject",
    "elionmnsk": "elonmusk",
    "syscoin_tx": "syscoin",
}


def staff_clones(root: Path) -> None:
    """Handles copying a group's admin: the scam handles with the account each imitates as
    the admin, and every ordinary X handle (Janitr authors) as the admin of a group whose
    members are all the others."""
    scam = set(
        json.loads((root / "phishing_cryptoscamdb/twitter_scam_accounts.json").read_text()).values()
    )
    pairs = [(h, target) for h, target in CLONED.items() if h in scam]
    found = [h for h, target in pairs if clone_of(h, target)]
    print(
        "staff clones, cryptoscamdb handles as copies of the account each "
        f"imitates: {len(found)}/{len(pairs)} "
        f"flagged; missed {sorted({h for h, _ in pairs} - set(found))}"
    )
    rows = read_csv(root / "scam_x_posts_janitr_internetcondom/janitr_sample_labeled.csv")
    ordinary = sorted(
        {
            r["source_url"].split("/")[3]
            for r in rows
            if r["is_scam"] == "0" and r["source_url"].count("/") > 3
        }
    )
    hits = [(a, b) for a in ordinary for b in ordinary if a != b and clone_of(b, a)]
    total = len(ordinary) * (len(ordinary) - 1)
    print(
        f"staff clones, ordinary X handles as member and admin: {len(hits)}/{total} pairs flagged "
        f"({len(hits) / total:.4%}) {hits[:6]}"
    )


def clone_of(handle: str, admin: str) -> bool:
    """True when a member with this handle is flagged as a copy of the admin's handle."""
    staff = (Author("twitter", "admin", admin),)
    return any(s.weight >= FLAG for s in staff_signals(Author("twitter", "member", handle), staff))


def named_accounts(root: Path) -> None:
    """Posts naming an account that looks like one of the bench brands' (the sock-puppet signal):
    real negatives must stay clean; in scam posts it is one signal among many."""
    janitr = read_csv(root / "scam_x_posts_janitr_internetcondom/janitr_sample_labeled.csv")
    sets = {
        "Janitr non-scam": [r["text"] for r in janitr if r["is_scam"] == "0"],
        "Janitr scam": [r["text"] for r in janitr if r["is_scam"] == "1"],
        "tweeteval": [
            r["text"] for r in read_csv(root / "negatives_tweeteval/tweeteval_test_sample.csv")
        ],
    }
    for label, texts in sets.items():
        hits = [
            t
            for t in texts
            if any(mention_signals(normalise(t), reg) for reg in REGISTRIES.values())
        ]
        print(
            "posts naming a look-alike account of a bench "
            f"brand, {label}: {len(hits)}/{len(texts)} {hits[:2]}"
        )


def domain_hit(host: str, keys: Iterable[str]) -> bool:
    """True when any of these brands finds the host a dangerous look-alike."""
    return any(
        (s := host_signal(host, REGISTRIES[k], frozenset())) and s.label and s.weight >= FLAG
        for k in keys
    )


def brand_hit(host: str, keys: Iterable[str]) -> bool:
    """True when the host imitates one of these brands (leaving out hosts flagged without a brand:
    named for a crypto lure, or wearing another domain in front)."""
    return any(
        not REGISTRIES[k].is_official_host(host)
        and (s := subdomain_trick(host, REGISTRIES[k]) or lookalike(host, REGISTRIES[k]))
        and s.weight >= FLAG
        for k in keys
    )


def phishing_domains(root: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """Brand-targeting phishing hosts with the bench brands each aims at, by source."""
    sources: dict[str, list[tuple[str, list[str]]]] = {"polkadot-js": [], "cryptoscamdb": []}
    for r in read_csv(root / "phishing_polkadot_js/brand_impersonation_domains.csv"):
        keys = [b.replace("-", "") for b in r["brands"].split("|") if b.replace("-", "") in BRANDS]
        if r["label"] == "phishing" and keys:
            sources["polkadot-js"].append((r["domain"], keys))
    for r in read_csv(root / "phishing_cryptoscamdb/cryptoscamdb_entries.csv"):
        if r["subcategory"] in SCAMDB_BRANDS:
            sources["cryptoscamdb"].append(
                (host_of(r["url"]) or r["name"], [r["subcategory"].lower()])
            )
    return sources


def domain_names_as_handles(root: Path) -> None:
    """The names scammers chose for look-alike domains (the label before the TLD, '-' as '_'),
    read as handles: a proxy for look-alike handles, which no eval set holds in number. Names
    equal to an official handle are left out; brand + an ordinary word (kraken_pk,
    bybitnetwork) is by design not flagged."""
    # name -> (half of the first host holding it, brands)
    names: dict[str, tuple[str, list[str]]] = {}
    for host, keys in (e for entries in phishing_domains(root).values() for e in entries):
        labels = host.split(".")
        name = decode_label(labels[-2]).replace("-", "_") if len(labels) > 1 else ""
        official = any(
            REGISTRIES[k].is_official(p, name) for k in keys for p in REGISTRIES[k].official
        )
        if name and not official and brand_hit(host, keys):
            names.setdefault(name, (half(host), keys))
    for part in ("dev", "test"):
        found = [
            n for n, (h, keys) in names.items() if h == part and set(handle_hits(n)) & set(keys)
        ]
        total = sum(h == part for h, _ in names.values())
        print(
            f"look-alike domain names as handles, {part}: {len(found)}/{total} flagged "
            f"({len(found) / total:.3f})"
        )


def lookalike_domains(root: Path) -> None:
    """Recall on brand-targeting phishing domains and FP on legitimate hosts, each
    split by host into dev/test."""
    sources = phishing_domains(root)
    pos = [entry for entries in sources.values() for entry in entries]
    for name in ("dev", "test"):
        part = [(d, k) for d, k in pos if half(d) == name]
        hit = [domain_hit(d, k) for d, k in part]
        anyone = sum(domain_hit(d, BRANDS) for d, _ in part)
        peer = sum(peer_hit(d, k) for d, k in part)
        brandless = sum(h and not brand_hit(d, k) for h, (d, k) in zip(hit, part))
        print(
            f"look-alike domains {name}: recall {sum(hit) / len(hit):.4f} "
            f"({sum(hit)}/{len(hit)}; {brandless} of them "
            f"flag without any brand); as a look-alike of any of the {len(BRANDS)} "
            f"brands {anyone / len(part):.4f}; "
            f"peer {peer / len(part):.3f}"
        )
        # polkadot-js rows name a brand because the domain holds it (look-alikes by construction);
        # CryptoScamDB names the brand a scam targets, whatever its domain
        # looks like (twitter.com, bip39.info).
        by_source = (
            f"{src} {sum(domain_hit(d, k) for d, k in rows if half(d) == name)}/"
            f"{sum(half(d) == name for d, _ in rows)}"
            for src, rows in sources.items()
        )
        print(f"    by source: {', '.join(by_source)}")
    legit_sets = legit_hosts(root)
    tradeoff(pos, legit_sets["metamask whitelist"])
    for label, all_hosts in legit_sets.items():
        for name in ("dev", "test"):
            legit = [h for h in all_hosts if half(h) == name]
            fps = [h for h in legit if domain_hit(h, BRANDS)]
            peer = sum(peer_hit(h, BRANDS) for h in legit)
            print(
                f"legit hosts {label} {name}: {len(fps)}/{len(legit)} flagged "
                f"({len(fps) / max(1, len(legit)):.2%}), "
                f"peer {peer}/{len(legit)} {fps[:8]}"
            )
            per_brand(legit)


def brandless_reach(root: Path) -> None:
    """Hosts flagged without a brand on phishing lists that name none (NFT drainers, Discord and
    Steam lures), never used for tuning: how far the lure-named and domain-in-front checks reach."""
    lists = {
        "ScamSniffer": list(
            json.loads(
                (root / "phishing_scamsniffer/combined_domain_to_addresses.json").read_text()
            )
        ),
        "Discord-AntiScam": read_lines(root / "phishing_discord_antiscam/list.txt"),
    }
    for label, hosts_ in lists.items():
        lure = [h for h in hosts_ if lure_named(h)]
        front = [h for h in hosts_ if foreign_front(h)]
        print(
            f"{label} phishing hosts flagged without a brand: named for a lure {len(lure)}, a "
            "domain in front "
            f"{len(front)}, of {len(hosts_)} {(lure + front)[:4]}"
        )


def read_lines(path: Path) -> list[str]:
    """The non-blank lines of a one-entry-a-line list."""
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def tradeoff(pos: list[tuple[str, list[str]]], whitelist: list[str]) -> None:
    """Recall against whitelist hosts flagged for a plain score, the typo cost of the closest
    brand name in a host per letter of the name, at a few cut-offs: where the two targets
    meet for one lexical score."""
    for name in ("dev", "test"):
        found = [name_cost(d, k) for d, k in pos if half(d) == name]
        legit = [name_cost(h, BRANDS) for h in whitelist if half(h) == name]
        cuts = "; ".join(
            f"<= {cut}: recall {sum(c <= cut for c in found) / len(found):.3f}, "
            f"whitelist {sum(c <= cut for c in legit) / len(legit):.1%}"
            for cut in (0, 0.1, 0.2, 0.25)
        )
        print(f"plain typo-cost score {name}: {cuts}")


def name_cost(host: str, keys: Iterable[str]) -> float:
    """Least typo cost, per letter of the name, of a brand name in any label of a
    non-official host (0: verbatim)."""
    costs = [
        typo_cost(skel[i:], token, prefix=True) / len(token)
        for k in keys
        if not REGISTRIES[k].is_official_host(host)
        for label in host_labels(host)
        for skel in skeletons(label)
        for token in REGISTRIES[k].tokens
        for i in range(len(skel))
    ]
    return min(costs, default=9.0)


def peer_hit(host: str, keys: Iterable[str]) -> bool:
    """The peer: MetaMask eth-phishing-detect's fuzzy rule as its config runs it, the name
    with 'www.' and the last label cut off within Levenshtein distance 2 of a brand
    domain's (official hosts pass)."""
    domains = [d for k in keys for d in BRANDS[k][0]]
    if any(host == d or host.endswith(f".{d}") for d in domains):
        return False
    return any(Levenshtein.distance(_fuzzy_form(host), _fuzzy_form(d)) <= 2 for d in domains)


def _fuzzy_form(host: str) -> str:
    """A host as eth-phishing-detect compares it: without its last label and a leading 'www.'."""
    return host.casefold().rstrip(".").rsplit(".", 1)[0].removeprefix("www.")


def per_brand(hosts_: list[str]) -> None:
    """The same hosts as one deployment sees them: the config names one brand, so a host counts only
    if it looks like that brand. The lines above count a host that looks like any
    of the bench brands at once."""
    counts = {k: sum(domain_hit(h, [k]) for h in hosts_) for k in BRANDS}
    worst = max(counts, key=counts.__getitem__)
    mean = sum(counts.values()) / len(counts) / max(1, len(hosts_))
    within = sum(c <= 0.01 * len(hosts_) for c in counts.values())
    print(
        f"    as deployed for one brand: mean {mean:.2%}, {within}/{len(counts)} brands at or "
        f"under 1%, worst {worst} {counts[worst]}/{len(hosts_)} "
        f"({counts[worst] / max(1, len(hosts_)):.2%}), okx {counts['okx']}/{len(hosts_)}"
    )


def host_of(url: str) -> str:
    """The host part of a URL."""
    found = hosts(url)
    return found[0] if found else ""


def legit_hosts(root: Path) -> dict[str, list[str]]:
    """Hard-negative host lists: MetaMask whitelist and legit tests, polkadot
    allow, hosts in clean posts."""
    mm = root / "phishing_metamask_eth_phishing_detect"
    config = json.loads((mm / "config.json").read_text())
    tests = json.loads((mm / "test_alexa_top_legit.json").read_text()) + json.loads(
        (mm / "test_dapps_legit.json").read_text()
    )
    allow = json.loads((root / "phishing_polkadot_js/all.json").read_text()).get("allow", [])
    rows = read_csv(root / "scam_x_posts_janitr_internetcondom/janitr_sample_labeled.csv")
    clean = {h for r in rows if r["is_scam"] == "0" for h in hosts(r["text"])}
    return {
        "metamask whitelist": config["whitelist"],
        "metamask legit tests": tests,
        "polkadot allow": [a.lstrip("*.") for a in allow],
        "hosts in Janitr non-scam posts": sorted(clean),
    }


# Legitimate hosts of exchanges, wallets and crypto sites (written from public knowledge, not from
# the eval files): a look-alike rule must not flag one brand's real site as another's look-alike. A
# bench brand's other domains (blockchain.info, kraken.io) are left out: its config would list them.
CRYPTO_SITES = (
    "okx.com",
    "okex.com",
    "binance.com",
    "binance.us",
    "binance.vision",
    "coinbase.com",
    "kraken.com",
    "bitfinex.com",
    "bitstamp.net",
    "huobi.com",
    "htx.com",
    "gate.io",
    "kucoin.com",
    "bybit.com",
    "bitget.com",
    "mexc.com",
    "bitmart.com",
    "crypto.com",
    "gemini.com",
    "bitflyer.com",
    "upbit.com",
    "bithumb.com",
    "coincheck.com",
    "bitpanda.com",
    "bitvavo.com",
    "luno.com",
    "poloniex.com",
    "bittrex.com",
    "hitbtc.com",
    "bitmex.com",
    "deribit.com",
    "phemex.com",
    "lbank.com",
    "bingx.com",
    "coinex.com",
    "probit.com",
    "whitebit.com",
    "ascendex.com",
    "bitrue.com",
    "xt.com",
    "cex.io",
    "exmo.com",
    "paxful.com",
    "localbitcoins.com",
    "blockchain.com",
    "trustwallet.com",
    "metamask.io",
    "myetherwallet.com",
    "mycrypto.com",
    "ledger.com",
    "trezor.io",
    "exodus.com",
    "electrum.org",
    "phantom.app",
    "uniswap.org",
    "opensea.io",
    "shapeshift.com",
    "idex.io",
    "etherdelta.com",
    "coinmarketcap.com",
    "coingecko.com",
    "etherscan.io",
    "bscscan.com",
    "polygonscan.com",
    "blockchair.com",
    "sushi.com",
    "pancakeswap.finance",
    "curve.fi",
    "aave.com",
    "compound.finance",
    "1inch.io",
    "lido.fi",
    "rainbow.me",
    "argent.xyz",
    "zerion.io",
    "safe.global",
    "rabby.io",
    "bitcoin.org",
    "ethereum.org",
    "coindesk.com",
    "cointelegraph.com",
    "decrypt.co",
    "theblock.co",
    "blockstream.com",
    "mempool.space",
    "walletconnect.com",
    "solana.com",
    "polygon.technology",
    "arbitrum.io",
    "optimism.io",
    "chainlink.com",
    "tether.to",
    "circle.com",
    "bnbchain.org",
    "bitkeep.com",
    "tronscan.org",
    "tronlink.org",
    "bitpay.com",
    "nexo.com",
    "robinhood.com",
    "etoro.com",
    "revolut.com",
    "paypal.com",
    "cash.app",
    "okcoin.com",
    "bitbank.cc",
    "zaif.jp",
    "indodax.com",
    "wazirx.com",
    "coinone.co.kr",
    "korbit.co.kr",
    "coinspot.com.au",
    "independentreserve.com",
    "btcmarkets.net",
    "bitso.com",
    "bitbay.net",
    "zonda.exchange",
    "bitcoin.de",
    "swissborg.com",
    "uphold.com",
    "bitbuy.ca",
    "coinjar.com",
    "bitkub.com",
    "maicoin.com",
    "bitopro.com",
    "tokocrypto.com",
    "pionex.com",
    "biconomy.com",
    "weex.com",
    "toobit.com",
    "bitunix.com",
    "blofin.com",
    "hyperliquid.xyz",
    "dydx.exchange",
    "gmx.io",
    "jup.ag",
    "raydium.io",
    "orca.so",
    "magiceden.io",
    "blur.io",
    "rarible.com",
    "foundation.app",
    "zora.co",
    "solflare.com",
    "backpack.app",
    "keplr.app",
    "tonkeeper.com",
    "atomicwallet.io",
    "guarda.com",
    "coinomi.com",
    "mathwallet.org",
    "tokenpocket.pro",
    "token.im",
    "safepal.com",
    "bitpie.com",
    "onekey.so",
    "ens.domains",
    "layerzero.network",
    "stargate.finance",
    "across.to",
    "hop.exchange",
    "wormhole.com",
)


def misspelled_selection(root: Path) -> dict[str, dict[str, dict[str, str]]]:
    """Blocklist hosts misspelling a bench brand, not writing it: list
    -> host -> {brand: window}."""
    table = prototypes(root)
    names = {k: sorted(set(reg.tokens.values())) for k, reg in REGISTRIES.items()}
    official = {k: BRANDS[k][0] for k in BRANDS}
    seen: dict[str, dict[str, str]] = {}
    out: dict[str, dict[str, dict[str, str]]] = {}
    for src, hosts_ in blocklists(root).items():
        for host in hosts_:
            if host not in seen:
                seen[host] = misspelled(host, names, table, official)
        out[src] = {h: seen[h] for h in hosts_ if seen[h]}
    return out


def misspelled_domains(root: Path, halves: tuple[str, ...], top_sites: Path | None) -> None:
    """Recall on blocklist hosts that misspell a brand (bench/misspelled_hosts.py says how they are
    picked), per list and half, and legitimate hosts flagged as a look-alike of any bench brand."""
    selection = misspelled_selection(root)
    for name in halves:
        pooled: dict[str, dict[str, str]] = {}
        for src, picked in selection.items():
            part = {h: b for h, b in picked.items() if half(h) == name}
            pooled.update(part)
            print(f"misspelled brand hosts {name}, {src}: {_misspelled_recall(part)}")
        print(f"misspelled brand hosts {name}, all lists: {_misspelled_recall(pooled)}")
    legit = {**legit_hosts(root), "crypto sites": list(CRYPTO_SITES)}
    if top_sites:
        ranked = json.loads(top_sites.read_text())
        legit["top sites"] = [e["rootDomain"].removeprefix("www.") for e in ranked]
    for label, all_hosts in legit.items():
        for name in halves:
            some = [h for h in all_hosts if half(h) == name]
            fps = [h for h in some if domain_hit(h, BRANDS)]
            print(f"misspelling check, legit {label} {name}: {len(fps)}/{len(some)} flagged {fps}")


def _misspelled_recall(picked: dict[str, dict[str, str]]) -> str:
    """Share flagged as a look-alike of the brand they misspell, and flagged at all (any reason)."""
    found = sum(brand_hit(h, keys) for h, keys in picked.items())
    anyhow = sum(domain_hit(h, keys) for h, keys in picked.items())
    n = max(1, len(picked))
    return (
        f"recall {found / n:.4f} ({found}/{len(picked)}), flagged for any reason {anyhow / n:.4f}"
    )


def main(argv: list[str] | None = None) -> None:
    """Run every measurement (or the ones named) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("eval_dir", nargs="?", default="../shared/eval", type=Path)
    parser.add_argument("--only", nargs="*", help="run only these steps (e.g. misspelled handles)")
    parser.add_argument(
        "--halves",
        nargs="*",
        default=["dev", "test"],
        choices=["dev", "test"],
        help="halves the misspelling section prints (tune with dev alone)",
    )
    parser.add_argument(
        "--top-sites",
        type=Path,
        help="top-sites.json of the npm package top-sites: more legit hosts",
    )
    args = parser.parse_args(argv)
    root = args.eval_dir
    detector = ImpersonationDetector(load().brand)
    steps: dict[str, Callable[[], None]] = {
        "janitr": lambda: janitr(root, detector),
        "tg_spam": lambda: tg_spam(root, detector),
        "english_negatives": lambda: english_negatives(root, detector),
        "chinese": lambda: chinese(root, detector),
        "twcs": lambda: twcs(root),
        "handles": lambda: handles(root),
        "staff_clones": lambda: staff_clones(root),
        "named_accounts": lambda: named_accounts(root),
        "domain_names_as_handles": lambda: domain_names_as_handles(root),
        "brandless_reach": lambda: brandless_reach(root),
        "lookalike_domains": lambda: lookalike_domains(root),
        "misspelled": lambda: misspelled_domains(root, tuple(args.halves), args.top_sites),
    }
    for name, step in steps.items():
        if args.only is None or name in args.only:
            step()
            sys.stdout.flush()


if __name__ == "__main__":
    main()
