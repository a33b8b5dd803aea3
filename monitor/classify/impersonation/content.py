"""Content signals in English and Chinese: DM and off-platform
invitations, secret requests, lures."""

from __future__ import annotations

import re
from functools import lru_cache

from monitor.classify.impersonation import needle_table
from monitor.classify.impersonation.lures import LURES
from monitor.classify.impersonation.lures_zh import LURES_ZH
from monitor.classify.impersonation.rule import ASKS_TO_DM, Rule
from monitor.classify.impersonation.signals import Signal
from monitor.classify.impersonation.wordlists import words
from monitor.classify.regexes import compiled
from monitor.classify.text import has_cjk, simplified

# Leading \b on the Latin words keeps the regex engine from trying every position.
_SECRET = (
    r"\b(?:(?:seed|recovery|secret|backup|wallet|mnemonic|12|24"
    r"|twelve)[ -]?(?:words? )?(?:phrase|words)|private ?keys?|mnemonic|keystore)|助记词|私钥"
    r"|密钥|恢复短语"
)
_ASK = (
    r"\b(?:send|share|provide|enter|submit|input|type|paste|give|drop|import|verify|confirm"
    r"|need|require|dm)\b|提供|发送|输入|告诉|发给"
)
_WALLET_FIX = (
    r"(?:validat|synchroni[sz]|sync|rectif|restor|migrat|unlock|whitelist"
    r"|reactivat)\w{0,8} (?:your |ur |the )?(?:wallet|dapp|account|node)"
)
# What cancels a rule's match, read only around one (compiled on first use: regexes.compiled).
# A warning about secrets ("never share your seed phrase") must not read as a request for one.
_WARNING = (
    r"\b(?:never|don'?t|do not|not|no one|nobody|won'?t|will not|beware|warning|scam|avoid"
    r"|red flags?)\b"
    r"|\bpromis\w{1,3} of|\bsigns? of|不要|切勿|请勿|绝不|谨防|不会(?:索要|要求|向)"
)

# What a victim writes when telling of a scam: a request made to them, or their own secret.
_REPORTED = (
    r"\b(?:asked|asking|asks|told|telling|tells|wanted|wants|begged|tried to get"
    r"|trying to get) me (?:to|for)\b"
    r"|\bmy (?:(?:12|24)[ -]word |wallet'?s? )?(?:seed|recovery|secret|private|backup|mnemonic)"
    # 让我 alone is also "let me" (让我帮您处理, the scam's own offer): only
    # a request made to the writer counts
    r"|(?:让|叫|要)我(?:提供|发|给|输入|下载|转|告诉|共享|开)|问我要|找我要|骗我"
)
# A quotation, and the words around it that make it a scam told of
# ("the scammer said", "ignore them").
_QUOTE = r'"[^"\n]{1,300}"|“[^”\n]{1,300}”|「[^」\n]{1,300}」'
_TELLS = (
    r"\b(?:scam\w*|fake|beware|careful|ignore|report\w*|warning|psa|impost[eo]rs?|phish\w*|lol"
    r"|said|says|wrote)\b"
    # 不小心 is "by mistake"
    r"|骗|假(?:的|冒|客服|官方|网站|链接|账号)|虚假|(?<!不)小心|冒充|警惕|举报"
)

# Numbers as fake hotlines write them: North American toll-free and local, international, and
# China's 400/800 service and 1[3-9] mobile numbers. Digit runs are bounded to keep matching linear;
# the lookahead lets a position that holds no digit, + or ( fail at once.
_PHONE_ZH = r"(?<!\d)(?:[48]00[ -]?\d{3}[ -]?\d{4}|1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?!\d)"
PHONE = (
    r"(?=[+(\d])(?:(?<![\w.])(?:\+?1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)"
    r"|(?<![\w.])\+\d{1,3}[ -]?\(?\d{2,4}\)?[ -]?\d{3,4}[ -]?\d{3,5}(?!\d)|" + _PHONE_ZH + ")"
)
_HOTLINE = (
    r"\b(?:support|customer (?:service|care|support)|help ?(?:line|desk)|hotline"
    r"|toll[ -]?free)(?: phone)?(?: number| line| no\.?)?"
    r"|\bcall (?:us|our (?:team|agents?)|support)\b|客服|热线|服务电话|人工电话|客服电话"
)
AIRDROP = "announces an airdrop, claim or free mint"
RULES: tuple[Rule, ...] = (
    Rule(
        "credential_request",
        0.85,
        "asks for a seed phrase or private key",
        (
            rf"(?:{_ASK}).{{0,40}}(?:{_SECRET})|(?:{_SECRET}).{{0,20}}(?:to (?:verify|validate"
            r"|sync|restore|recover))"
        ),
        True,
    ),
    Rule(
        "credential_request",
        0.8,
        "asks to validate / sync / rectify a wallet",
        (
            rf"\b{_WALLET_FIX}|\bwallet (?:validation|synchroni[sz]ation|rectification)|(?:同步"
            r"|验证|激活)钱包|钱包(?:验证|同步)"
        ),
        True,
    ),
    Rule(
        "fake_support_reply",
        0.75,
        "offers to recover lost funds",
        (
            r"\brecover\w{0,3} (?:your |ur |all )?(?:lost |stolen |scammed )?(?:funds|crypto"
            r"|money|assets|coins|btc|usdt)"
            r"|\b(?:fund|asset|crypto|wallet)s? recovery\b|\brecovery (?:service|expert"
            r"|assistance|specialist|agent|team)"
            r"|\bdm (?:me |us )?for (?:recovery|assistance)|追回(?:资金|损失|被骗)"
        ),
        True,
    ),
    Rule(
        "offplatform_contact",
        0.25,
        "gives a phone number",
        rf"(?<![\w.])\+\d{{1,3}}[ -]?\d{{2,4}}[ -]?\d{{3,4}}[ -]?\d{{3,5}}\b|{_PHONE_ZH}",
    ),
    # Fake hotlines ("Coinbase support number +1 888...", "欧易客服电话 400-...") are a scam of
    # their own: the number rings the scammer, who asks for codes on the call.
    Rule(
        "offplatform_contact",
        0.55,
        "gives a customer-service phone number",
        rf"(?:{_HOTLINE}).{{0,25}}?(?:{PHONE})|(?:{PHONE}).{{0,12}}?(?:{_HOTLINE})",
        True,
    ),
    Rule(
        "offplatform_contact",
        0.3,
        "points to a Telegram account",
        (
            r"\bt\.me/(?!\+|joinchat)[a-z0-9_]{4,32}\b|\btelegram\s{0,2}(?:id|handle"
            r"|username)?\s{0,2}[:：]\s{0,2}@?[a-z0-9_]{4,32}"
        ),
    ),
    Rule(
        "offplatform_contact",
        0.3,
        ASKS_TO_DM,
        (
            r"\b(?:dm|pm|inbox|message|text|contact|hit up|reach out to)\s{1,3}(?:me|us)\b"
            r"|\bsend (?:me|us) (?:a |an )?(?:dm|pm|direct message|private message|message)"
            r"|\b(?:dm|pm|inbox) (?:for|to get)\b|\b(?:my )?(?:dms?|inbox) (?:is|are) open\b"
        ),
    ),
    Rule(
        "fake_support_reply",
        0.3,
        "offers help or support",
        (
            r"\b(?:i|we)(?: can|'ll| will| could) (?:help|assist|guide|walk you|resolve|fix)"
            r"|\blet (?:me|us) (?:help|assist)"
            # "DM me for help" offers help; "DM me later" only asks for a DM
            r"|\b(?:dm|pm|inbox|message|text|contact) (?:me|us)\b.{0,12}?\bfor (?:help|support"
            r"|assistance|(?:the |a )?(?:solution|fix))"
            r"|\b(?:support|technical|help ?desk|customer care|customer service) (?:team|agent"
            r"|desk|line)\b"
            r"|\b(?:resolve|fix) (?:your|this|the) (?:issue|problem)"
            # 客服 alone is also how users warn about fakes
            # ("小心假客服"): only claims and offers count
            r"|(?:我是|我们是|这里是|官方)(?:客服|技术支持)|(?<!假)客服(?:为您|帮您|帮你|可以帮"
            r"|在线|专员)|帮(?:你|您)(?:解决|处理)|可以帮你"
            r"|有(?:问题|需要|疑问)的?(?:可以|请|都可以)?(?:找我|问我|私我)"
        ),
    ),
    Rule(
        "scam_lure",
        0.6,
        "promises to send back more crypto than you send",
        (
            r"\bdouble your (?:btc|eth|crypto|money|coins)"
            r"|\bsend \d[\d.,]{0,9} ?\w{0,6}.{0,40}\b(?:receive|get) (?:\d[\d.,]{0,9}|double|2x"
            r"|back)"
        ),
        True,
    ),
    Rule(
        "scam_lure",
        0.6,
        "asks to drop a wallet address",
        (
            r"\b(?:drop|leave|comment|send|share|post) (?:your |ur )?(?:\$?\w{1,10} )?(?:wallet"
            r"|addy|address)(?:es)?(?: address)?\b(?! safe)"
        ),
    ),
    Rule(
        "scam_lure",
        0.55,
        "promises guaranteed, daily or multiplied profits",
        (
            r"\bguaranteed (?:profits?|returns?|income)|\b(?:earn|make|made"
            r"|making) \$?\d[\d,.]{0,9}k? ?(?:usd|usdt|\$)? ?(?:daily|weekly|per day|a day"
            r"|every day|in \d{1,2} (?:hours|days))"
            r"|\b(?:earn|make|made|got|received"
            r"|withdr[ae]w\w{0,3}(?: of)?) \$?\d[\d,.]{0,9}k? ?(?:usd|usdt|\$)?.{0,30}(?:with"
            r"|after investing"
            r"|from) (?:just |only )?(?:an? )?(?:investment of |deposit of )?\$?\d"
            r"|\b(?:investment|deposit) of \$?\d[\d,.]{0,9}.{0,40}\b(?:earn|got|made|make"
            r"|withdraw\w{0,3}|profit)"
            r"|\b\d{2,4}% (?:profits?|returns?)|\bprofit in \d{1,2} hours|\bpassive income"
            r"|\bdaily earnings"
            r"|\binvestment (?:platform|expert|manager|company|plan|opportunit\w{1,3})"
            r"|\b(?:trading|account) (?:expert|manager|mentor)"
            r"|\btestify\b|\btestimony\b|\b100% (?:legit|genuine|real|safe|guaranteed"
            r"|confidential|sure)"
        ),
        True,
    ),
    Rule(
        "scam_lure",
        0.5,
        "offers profits or signals in private",
        (
            r"\b(?:dm|inbox|telegram|whatsapp|t\.me)\b.{0,80}\b(?:profits?|income|signals"
            r"|whitelist|vip|invest\w{0,6}|earnings?)\b"
            r"|\b(?:profits?|income|signals|whitelist|vip|invest\w{0,6}"
            r"|earnings?)\b.{0,80}\b(?:dm|inbox|telegram|whatsapp|t\.me)\b"
        ),
        True,
    ),
    Rule(
        "scam_lure",
        0.55,
        "gives away crypto for follows or retweets",
        (
            r"\bgiv(?:e|ing) away (?:my |our )?(?:last )?\d[\d.,]{0,9} ?\$?(?:btc|eth|sol|bnb"
            r"|usdt|bitcoin)|\bsend \d[\d.,]{0,6} ?\$?(?:btc|eth|sol) to (?:one|a|\d)"
        ),
    ),
    # The giveaway scam's own testimonial: "I just claimed 2.5 ETH for
    # free", "got 5 ETH back from the event".
    Rule(
        "scam_lure",
        0.5,
        "says it got free crypto from a giveaway",
        (
            r"\b(?:just |i )(?:claimed|received|got) \d[\d.,]{0,9} ?\$?(?:btc|eth|sol|bnb|usdt"
            r"|bitcoin)\b.{0,40}?"
            r"\b(?:for free|free|giveaway|airdrop|back)\b"
        ),
        True,
    ),
    Rule(
        "scam_lure",
        0.55,
        "asks a token-launch bot to deploy a token",
        (
            r"@\w{0,30}bot\b.{0,40}\bdeploy\b|\bdeploy\b.{0,60}\b(?:ticker|symbol)\b"
            r"|\bsend (?:all )?(?:the )?fees? to @"
        ),
    ),
    Rule(
        "scam_lure",
        0.3,
        AIRDROP,
        (
            r"\b(?:airdrop|claim|free mint|eligible|allocation|rewards? (?:are |is )?(?:live"
            r"|available))\b|空投|领取(?:代币|usdt|[a-z]{2,6}币)"
        ),
    ),
)


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """RULES, the scam-pattern LURES, and one rule for the off-platform
    app names in the bundled list."""
    names = sorted(words("offplatform_words"), key=len, reverse=True)
    apps = r"(?<![a-z])(?:" + "|".join(re.escape(n) for n in names) + r")(?![a-z])"
    return (*RULES, *LURES, Rule("offplatform_contact", 0.3, "invites to another app ({})", apps))


Gated = tuple[tuple[Rule, "re.Pattern[str] | None"], ...]


@lru_cache(maxsize=1)
def _latin() -> Gated:
    """The rules for Latin text, rules(), each with the search for its needles (needle_table):
    most rules find none in a post and need no scan, nor compiling."""
    return tuple((rule, needle_table.gate(rule.source)) for rule in rules())


@lru_cache(maxsize=1)
def _chinese() -> Gated:
    """The rules for Chinese text: _latin(), then LURES_ZH gated the same way (their gates are
    made on the first Chinese post, not by a process that meets none)."""
    return _latin() + tuple((rule, needle_table.gate(rule.source)) for rule in LURES_ZH)


def needle_file() -> dict[needle_table.Key, needle_table.Needles]:
    """What the shipped needle file holds: every content rule's needles, derived now."""
    return needle_table.table(rule.source for rule in (*rules(), *LURES_ZH))


def _warned(text: str, start: int) -> bool:
    """True when a warning word sits shortly before a match, as in
    'never share your seed phrase'."""
    return bool(compiled(_WARNING).search(text, max(0, start - 40), start))


def _reported(text: str, start: int, end: int) -> bool:
    """True when the writer tells of a request made to them ("they asked me to install
    anydesk", "让我提供 助记词") or names their own secret ("send my seed phrase"): a
    victim's report, not the scam."""
    return bool(compiled(_REPORTED).search(text, max(0, start - 40), end))


def _quoted(text: str, start: int, end: int) -> bool:
    """True when a match sits inside quotation marks and the words around them tell of a scam:
    'Scammers are posting "DM me for help", ignore them'."""
    for quote in compiled(_QUOTE).finditer(text):
        if quote.start() <= start and end <= quote.end():
            return bool(compiled(_TELLS).search(text[: quote.start()] + " " + text[quote.end() :]))
    return False


def _apply(rule: Rule, text: str) -> Signal | None:
    """The rule's signal if it matches and is not cancelled by a warning, a
    victim's report or a quotation."""
    for match in rule.pattern.finditer(text):
        start, end = match.span()
        if rule.warnable and (_warned(text, start) or _reported(text, start, end)):
            continue
        if not _quoted(text, start, end):
            # Only the app rule names its match (an app name is never a secret).
            return Signal(rule.label, rule.weight, rule.words.format(match.group(0)))
    return None


def _fires(rule: Rule, needle: re.Pattern[str] | None, text: str) -> Signal | None:
    """_apply, skipped when the text holds none of the rule's needles (then it holds no match)."""
    if needle is not None and needle.search(text) is None:
        return None
    return _apply(rule, text)


def content_signals(text: str) -> list[Signal]:
    """Every content rule that fires on a normalised (NFKC, case-folded) text; Chinese
    text is folded to simplified first and read by the Chinese rules too (skipped
    elsewhere, where none can match)."""
    if not has_cjk(text):
        return [s for rule, needle in _latin() if (s := _fires(rule, needle, text))]
    text = simplified(text)
    found: dict[str, Signal] = {}
    for rule, needle in _chinese():
        if signal := _fires(rule, needle, text):
            found.setdefault(signal.words, signal)  # a reason counts once ("DM me, 私信我")
    return list(found.values())
