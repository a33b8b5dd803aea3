"""Scam patterns written from how known crypto scams read: giveaways, recovery
pitches, honeypots, shills."""

from __future__ import annotations

from monitor.classify.impersonation.rule import Rule

_COIN = r"(?:btc|eth|sol|usdt|usdc|bnb|xrp|doge|bitcoin|ethereum|\$[a-z][a-z0-9]{1,9})"
# Prize sizes a fake giveaway dangles: $100 and up, or any amount of a coin (small
# cash prizes are promos). Digit runs are bounded: unbounded ones made a long run of
# digits cost quadratic time (16k digits: 30 s).
_AMOUNT = (
    r"(?:\$(?:\d{3,30}|\d{1,3}(?:,\d{3})+|\d{1,30}(?:\.\d{1,30})?k)"
    rf"|\d[\d,.]{{0,30}}k? ?\$?{_COIN})"
)
_TIPS = r"\b(?:free|stocks?|signals?|profits?|invest\w*|crypto|trading|trades?)\b"
_ENGAGE = r"\b(?:retweet|rt|repost|like|follow|tag \d|tag (?:three|two)|comment|notifs?|turn on)\b"
_RECOVERY_PRO = (
    r"(?:#?crypto ?)?recovery (?:professionals?|experts?|support|specialists?|team|services?"
    r"|agents?"
    r"|hackers?|help|assessment|assistance)"
)

LURES: tuple[Rule, ...] = (
    # Fake giveaways ask for engagement (or a wallet) in exchange for a large crypto prize.
    Rule(
        "scam_lure",
        0.55,
        "promises crypto for follows, likes or retweets",
        (
            r"(?s)(?:\bgiveaway\b|\bgiv(?:e|ing) away\b|\bsend(?:ing)?\b"
            rf"|\bdropping\b).{{0,60}}{_AMOUNT}.{{0,250}}{_ENGAGE}"
            rf"|{_AMOUNT}\s?(?:{_COIN}\s)?giveaway\b.{{0,250}}{_ENGAGE}"
            r"|\bfor (?:every|each) (?:follower|retweet|like)\b"
        ),
    ),
    # Recovery scams pose as warnings ("#X is a scam ... DM a verified recovery expert"), so no
    # warning word cancels them.
    Rule(
        "fake_support_reply",
        0.6,
        "sends scam victims to a 'recovery' contact",
        (
            r"(?s)\b(?:contact|reach(?:ing)? out to|dm|message|write to"
            rf"|consult)\b.{{0,30}}{_RECOVERY_PRO}"
            r"|\b(?:assist|help)\w{0,3} you (?:with|in) (?:the |your )?recovery|\brecover (?:your"
            r"|the|my) loss"
            r"|\bhelped me (?:get|recover) (?:everything|it all|all|my \w+) back"
            r"|\bif (?:you(?:'re| are) )?affected,? (?:dm|contact|reach)"
        ),
    ),
    # The honeypot dangles a funded wallet; a user pasting their own phrase (a leak) names no prize.
    Rule(
        "scam_lure",
        0.6,
        "posts a wallet's seed phrase as bait (the gas-fee honeypot)",
        (
            rf"(?s)(?:\bfree\b|\bgift\b|\bgiv(?:e|ing) away\b|{_AMOUNT}).{{0,120}}\b(?:seed"
            r"|recovery|secret) ?phrase\s?[:：-]\s?"
            r"(?:[a-z]{3,8}[ ,]{1,2}){11}[a-z]{3,8}"
        ),
    ),
    # The work-from-home recruiter: "use your 5 to 6 hours ... while
    # waiting for your salary, 5 people needed".
    Rule(
        "scam_lure",
        0.55,
        "recruits for paid online work with a salary pitch",
        (
            r"\bwhile waiting for (?:your|ur) salary|\b\d{1,3} (?:people"
            r"|persons) (?:are )?needed in this group"
        ),
    ),
    Rule("scam_lure", 0.5, "sells cloud mining", r"\bcloud ?mining\b", True),
    Rule(
        "scam_lure",
        0.45,
        "shills a coin with 100x or insider promises",
        (
            r"\b\d{3,4}x (?:gem|potential)\b|\bnext \d{3,4}x\b|\bload (?:up )?(?:your|the) bags\b"
            r"|\binsider (?:info|tips)"
            r"|\bearly buyers get\b|\bget in (?:now|early) before\b|\bbefore (?:it"
            r"|the next) (?:pumps|moons|explodes)"
        ),
    ),
    Rule(
        "offplatform_contact",
        0.45,
        "links a WhatsApp number for trading tips",
        rf"(?s)\bwa\.me/\+?\d{{6,}}.{{0,80}}{_TIPS}|{_TIPS}.{{0,80}}\bwa\.me/\+?\d{{6,}}",
    ),
    Rule(
        "scam_lure",
        0.35,
        "sells VIP signals or a private trading group",
        (
            r"\bvip (?:group|members?|channel|signals?|access)|\bjoin (?:the|my|our) winning team"
            r"|\bsignals? group"
            r"|\bprice (?:movement )?map\b|\bsend \W?\w+\W? to get (?:them|it|signals) for free"
        ),
    ),
    Rule(
        "offplatform_contact",
        0.45,
        "tells you to check your DMs",
        (
            r"\b(?:check|see) (?:your |ur )?(?:inbox|dms?)\b|\bkindly (?:dm|inbox|check)\b"
            r"|\b(?:your )?dm is (?:closed|off)"
        ),
    ),
    # Drainers: a claim or airdrop page that wants a wallet connected.
    Rule(
        "scam_lure",
        0.3,
        "asks to connect a wallet to claim",
        (
            r"(?s)\b(?:airdrop|claim|free mint)\b.{0,200}\bconnect (?:your )?(?:wallet|metamask)"
            r"|\bconnect (?:your )?(?:wallet|metamask)\b.{0,200}\b(?:airdrop|claim)\b"
        ),
        True,
    ),
    Rule(
        "scam_lure",
        0.35,
        "pushes a claim with a wall of cashtags",
        r"(?s)\b(?:claim|secure|grab)\b.{0,80}?(?:\$[a-z][a-z0-9]{1,10}\b[^$]{0,20}){4}",
    ),
    # Fake support takes over a victim's device through a remote-control app or a shared screen.
    Rule(
        "scam_lure",
        0.55,
        "asks to share the screen or install a remote-control app",
        (
            r"\b(?:anydesk|teamviewer|rustdesk)\b|\bshare (?:your |ur )?screen\b"
            r"|\bscreen ?sharing\b"
        ),
        True,
    ),
    Rule(
        "scam_lure",
        0.55,
        "asks a token-launch bot to deploy a token",
        (
            r"\bdeploy (?:a |the |this |my |your |it |new )?(?:\w+ )?(?:token|coin|memecoin)\b"
            r"|\bdeploy it (?:now|again)\b"
            r"|\bdeploy\w* .{0,20}\d+[bmk]? supply\b"
        ),
    ),
)
