"""Should-flag / should-not-flag tables for the BIP39 seed-phrase finder."""

from __future__ import annotations

import re
import time

import pytest
from mnemonic import Mnemonic

from monitor.classify.secrets import seeds
from monitor.classify.secrets.core import redact

LANGUAGES = sorted(Mnemonic.list_languages())
ENTROPY_SIZES = (16, 20, 24, 28, 32)  # 12, 15, 18, 21 and 24 words


def phrase(lang: str, size: int = 16, salt: int = 0) -> str:
    """A valid phrase generated from fixed entropy."""
    entropy = bytes((i * 73 + size * 11 + salt * 29 + 5) % 256 for i in range(size))
    return Mnemonic(lang).to_mnemonic(entropy)


def mistyped(lang: str) -> str:
    """A 12-word phrase whose last word is swapped so the checksum fails."""
    words = phrase(lang).split()
    wordlist = Mnemonic(lang).wordlist
    for candidate in wordlist:
        typo = " ".join(words[:-1] + [candidate])
        if candidate != words[-1] and not Mnemonic(lang).check(typo):
            return typo
    raise AssertionError("no failing variant")


def formats(p: str) -> list[tuple[str, str]]:
    """(text, phrase part) pairs: the ways people paste a phrase."""
    w = p.split()
    variants = [
        p,
        ", ".join(w),
        "\n".join(w),
        "\n".join(f"{i}. {x}" for i, x in enumerate(w, 1)),
        " ".join(f"{i}) {x}" for i, x in enumerate(w, 1)),
        " ".join(f"{i}-{x}" for i, x in enumerate(w, 1)),
        "、".join(w),
        "，".join(w),
        "\u3000".join(w),
    ]
    # The span starts at the first word: a leading "1. " is harmless to leave.
    out = [(v, v[v.index(w[0]) :]) for v in variants]
    out.append((f"hi, my seed phrase is {p} please help", p))
    out.append((f"Support!!\n{p}\nwallet empty??", p))
    return out


def the_one(text: str) -> seeds.SecretMatch:
    """The single match found in text."""
    found = seeds.find(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("size", ENTROPY_SIZES)
def test_valid_phrase_every_language_and_length(lang: str, size: int) -> None:
    """Every language and phrase length is found with the checksum valid."""
    p = phrase(lang, size)
    m = the_one(p)
    count = size * 3 // 4
    assert (m.start, m.end, m.score) == (0, len(p), seeds.VALID_SCORE)
    assert m.detail.startswith(f"{count} words, ") and m.detail.endswith("checksum valid")
    assert m.placeholder == f"[seed phrase removed: {count} words]"


@pytest.mark.parametrize("lang", ["english", "spanish", "japanese", "korean", "chinese_simplified"])
@pytest.mark.parametrize("variant", range(11))
def test_formats_are_redacted_completely(lang: str, variant: int) -> None:
    """Commas, newlines, numbering and sentences around a phrase still yield one full span."""
    text, part = formats(phrase(lang, 16, salt=variant))[variant]
    m = the_one(text)
    start = text.index(part)
    assert m.start <= start and m.end >= start + len(part) and m.score >= 0.9
    redacted = redact(text, [m])
    assert "[seed phrase removed: 12 words]" in redacted
    assert not any(word in redacted for word in part.split()[1:-1] if len(word) > 3)


@pytest.mark.parametrize("lang", ["chinese_simplified", "chinese_traditional"])
@pytest.mark.parametrize(
    "template",
    ["{}", "我的助记词是：{}，请帮忙看看", "助记词 {} 钱包空了", "seed: {}", "我的助记词是{}"],
)
def test_unspaced_chinese(lang: str, template: str) -> None:
    """Chinese words written with no spaces, alone or after a context word."""
    joined = phrase(lang, 24, salt=3).replace(" ", "")
    text = template.format(joined)
    m = the_one(text)
    start = text.index(joined)
    assert m.start <= start and m.end >= start + len(joined)
    assert m.detail.startswith("18 words, Chinese")


@pytest.mark.parametrize("lang", ["english", "french", "chinese_simplified", "russian"])
def test_mistyped_phrase_scores_lower(lang: str) -> None:
    """A phrase failing its checksum is still a leak, reported at the lower score."""
    text = mistyped(lang)
    m = the_one(text)
    assert (m.start, m.end, m.score) == (0, len(text), seeds.FAILING_SCORE)
    assert m.detail.endswith("checksum fails (possibly mistyped)")


def test_eleven_words_is_a_leak() -> None:
    """A phrase missing one word is still reported."""
    text = " ".join(phrase("english").split()[:11])
    assert the_one(text).detail == "11 words, English, checksum fails (possibly mistyped)"


def test_value_is_normalised_and_kept_out_of_repr_and_detail() -> None:
    """value is the NFKD lower-case words; repr and detail never show them."""
    p = phrase("french", 16)
    m = the_one(p.upper().replace(" ", ", "))
    assert m.value == p
    assert p.split()[0] not in repr(m) and p not in repr(m)
    assert re.fullmatch(r"12 words, French, checksum valid", m.detail)


def test_two_phrases_in_one_post() -> None:
    """Two phrases on separate lines with a label between them are both found."""
    a, b = phrase("english", 16, 1), phrase("english", 32, 2)
    found = seeds.find(f"wallet one: {a}\nwallet two: {b}")
    assert [m.detail.split(",")[0] for m in found] == ["12 words", "24 words"]


def test_dev_phrase_with_repeated_words_passes_on_checksum() -> None:
    """Repetition alone decides nothing: a repeated-word phrase with a valid checksum is flagged."""
    words = ["zoo"] * 11
    last = next(
        w for w in Mnemonic("english").wordlist if Mnemonic("english").check(" ".join(words + [w]))
    )
    assert the_one(" ".join(words + [last])).score == seeds.VALID_SCORE


ENGLISH_NEGATIVES = [
    "this is not a seed phrase",
    "hello hello hello hello hello hello hello hello hello hello hello hello",
    "Never share your seed phrase or private key with anyone, support will never ask for it.",
    "I lost access to my wallet after the update and support has not answered for three days",
    "can you help me find the ticket number for my withdrawal from last week please",
    "what a great game today, the team played hard and the crowd was amazing all night long",
    "Please check your spam folder, the email with the code should arrive within ten minutes.",
    "My twelve word recovery phrase is written on paper in a safe place, do I need it now?",
    "good morning everyone, happy friday, enjoy the weekend and stay safe out there friends",
    "just bought a new phone and now the app asks me to verify my identity again why",
    "The market moved fast today; bitcoin dropped then recovered before the close.",
    "keep calm and carry on, the deposit will show up once the network confirms it",
    "Join our community call this Thursday to learn about the new staking program!",
    "I have been trying to log in all morning but the two factor code is always wrong",
    "you can say that again, this weather is crazy, rain then sun then rain again today",
    "one two three four five six seven eight nine ten eleven twelve",
    "abandon ship",
    "The words you need are: patience, focus and practice.",
]

CHINESE_NEGATIVES = [
    "我的助记词已经备份好了但是现在打开钱包显示余额为零请问是怎么回事",
    "请问助记词丢了怎么办我的钱包还能找回吗",
    "今天天气很好我们一起去公园散步吧顺便买点水果回家",
    "提现一直显示处理中已经等了三个小时了能不能帮我看一下",
    "我在交易所充值了一笔资金但是到现在还没有到账",
    "客服你好我的账户被冻结了不知道是什么原因",
    "这个项目的白皮书写得很清楚大家可以先去看看再决定要不要参与",
    "不要把你的助记词告诉任何人包括自称是官方客服的人",
    "官方永远不会私信向你索要私钥或者助记词请大家注意防范诈骗",
    "我昨天晚上做了一个很奇怪的梦梦见自己在海边捡贝壳",
    "这家餐厅的菜味道不错就是价格有点贵下次还会再来",
    "学习编程最重要的是多动手实践而不是只看书",
    "他说明天要出差所以周末的聚会可能来不了了",
    "为了保护账户安全建议开启二次验证并定期修改密码",
    "比特币的价格最近波动很大很多人都在观望",
    "我想把币从交易所转到自己的冷钱包里应该怎么操作",
    "种子发芽以后要注意浇水和施肥不然很容易长不好",
    "恢复钱包的时候系统提示助记词错误但是我确定每个字都写对了",
    "新手请问怎么导入助记词到新的手机上面",
    "我的朋友告诉我这个平台可以赚很多钱但是我觉得不太可靠",
    "请大家不要相信任何要求你提供助记词的人他们都是骗子",
    "小明每天早上六点起床然后跑步半个小时再去上学",
    "这部电影的剧情非常感人看完以后我哭了很久",
    "中国的传统节日有很多比如春节中秋节和端午节",
    "我们公司正在招聘有经验的后端开发工程师欢迎投递简历",
    "助记词就是由十二个或者二十四个单词组成的一串文字用来恢复你的钱包",
    "为什么我的充值地址和之前的不一样了是不是被盗了",
    "如果你忘记了密码可以通过绑定的邮箱或者手机号重新设置",
    "一个人的成长离不开家人和朋友的支持与鼓励",
    "他们在会议上讨论了下一年的发展计划和具体目标",
    "这是我第一次用这个交易所有很多地方不太明白希望有人能帮忙解答一下",
    "把助记词抄在纸上放在安全的地方千万不要截图或者存在网上",
    "的 一 是",
    "我，你，他，她，它，我们，你们，他们，她们，大家，自己，别人",
]


@pytest.mark.parametrize("text", ENGLISH_NEGATIVES + CHINESE_NEGATIVES)
def test_ordinary_posts_are_not_flagged(text: str) -> None:
    """Ordinary English and Chinese posts, including ones about seed phrases, are not flagged."""
    assert seeds.find(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "abandon " * 130_000,
        "的" * 1_000_000,
        "a" * 1_000_000,
        ("1. zoo\n" * 100_000),
        "、" * 500_000,
    ],
)
def test_adversarial_input_stays_fast(text: str) -> None:
    """Megabyte inputs of list words, one character or separators finish quickly."""
    start = time.perf_counter()
    seeds.find(text)
    assert time.perf_counter() - start < 15  # linear: about 3 s per MB of CJK on one core


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("form", ["NFC", "NFKD"])
def test_a_phrase_is_found_composed_or_decomposed(lang: str, form: str) -> None:
    """Wallets print NFKD (が as か + U+3099, й as и + U+0306); the word
    view must keep those marks."""
    import unicodedata

    from monitor.classify.secrets.core import find_secrets

    text = unicodedata.normalize(form, phrase(lang, 32, salt=3))
    (m,) = find_secrets(text)
    assert (
        m.label == "seed_phrase" and m.score >= 0.9 and redact(text, [m]).startswith("[seed phrase")
    )


def test_the_index_is_read_from_the_shipped_file_only_for_the_same_sources() -> None:
    sources = seeds._sources()
    assert sources is not None and len(sources) == len(LANGUAGES) + 1  # the lists, confusables
    shipped = {"sources": sources, "index": {"abandon": {"english": 0}}}
    assert seeds._shipped_or_derived(shipped, sources) is shipped["index"]
    derived = seeds.derive_index()
    other = {**sources, "wordlist/english.txt": "0" * 64}  # as if mnemonic changed a list
    assert seeds._shipped_or_derived(shipped, other) == derived
    assert seeds._shipped_or_derived(None, sources) == derived  # no file
    assert seeds._shipped_or_derived({"index": {}}, None) == derived  # sources unreadable
    assert seeds._index() == derived
