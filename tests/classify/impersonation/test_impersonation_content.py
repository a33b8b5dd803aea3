"""Content signals in English and Chinese, and warnings that must not read as requests."""

from __future__ import annotations

import pytest

from monitor.classify.impersonation.content import content_signals
from monitor.classify.impersonation.signals import combine
from monitor.classify.text import normalise


def labels(text: str) -> set[str]:
    """The labels of the content signals for a text."""
    return {s.label for s in content_signals(normalise(text))}


@pytest.mark.parametrize(
    "text, label",
    [
        ("Send me your 12 word recovery phrase so I can verify", "credential_request"),
        ("please provide your private key to restore access", "credential_request"),
        ("You need to validate your wallet on the dapp", "credential_request"),
        ("请提供您的助记词以便核实", "credential_request"),
        ("同步钱包即可解决", "credential_request"),
        ("Contact us on WhatsApp +1 555 013 2233", "offplatform_contact"),
        ("加我微信处理", "offplatform_contact"),
        ("DM me, our support team will fix it", "offplatform_contact"),
        ("I can help you recover your lost funds", "fake_support_reply"),
        ("Drop your SOL wallet address below for the giveaway", "scam_lure"),
        ("Made 5000 USDT after investing just $300, 100% legit", "scam_lure"),
        ("Giving away 5 BTC to random followers, RT to enter", "scam_lure"),
    ],
)
def test_scam_content_signals(text: str, label: str) -> None:
    assert label in labels(text)


@pytest.mark.parametrize(
    "text",
    [
        "Never share your seed phrase with anyone, support will never ask for it",
        "Do not give your private key to people in DMs",
        "My withdrawal has been pending for two days, what should I do?",
        "OKX listed a new token today",
        "I lost my phone and need to reset 2FA",
        "不要把助记词告诉任何人",
    ],
)
def test_ordinary_and_warning_texts_give_no_strong_signal(text: str) -> None:
    assert not any(s.weight >= 0.5 for s in content_signals(normalise(text)))


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "Sending 2 ETH to one lucky follower! Like, retweet and tag 3 friends",
            "follows, likes or retweets",
        ),
        (
            "#FakeExchange froze withdrawals. If affected, DM verified crypto recovery experts",
            "'recovery' contact",
        ),
        (
            (
                "free usdt wallet, seed phrase: apple river stone cloud tiger lemon paper honey "
                "sugar glass eagle novel"
            ),
            "honeypot",
        ),
        ("Start earning daily with our cloud mining plans", "cloud mining"),
        ("Next 100x gem, load your bags before it pumps", "100x"),
        ("Free stock picks: wa.me/15550100100", "WhatsApp"),
        ("Please check your inbox, we sent the details", "check your DMs"),
        ("Claim the airdrop now: connect your wallet on the page", "connect a wallet"),
        ("@launchbot deploy a token named Moon with 1b supply", "deploy a token"),
        (
            "They are giving away ETH! I just claimed 2.5 ETH for free, hurry",
            "free crypto from a giveaway",
        ),
        (
            "Bored? Give 3 hours a day to online tasks while waiting for your salary, message me",
            "salary pitch",
        ),
        ("Only 4 people are needed in this group to work online from their phone", "salary pitch"),
    ],
)
def test_scam_patterns(text: str, words: str) -> None:
    assert any(words in s.words for s in content_signals(normalise(text)))


@pytest.mark.parametrize(
    "text",
    [
        "$15 giveaway for my followers, retweet to enter",  # a small cash prize is a promo
        # a warning before the words cancels them
        "Beware of cloud mining sites that promise daily returns",
        "We deploy the new website on Friday",
        "Search for 100x returns is how people get rekt",
        # no number written in digits
        "Two people needed in this group to help move chairs on Saturday",
    ],
)
def test_look_alike_but_harmless_texts_stay_low(text: str) -> None:
    assert not any(s.weight >= 0.5 for s in content_signals(normalise(text)))


def _zh(text: str) -> list[tuple[str, float]]:
    """Labels and weights for a Chinese text."""
    return [(s.label, s.weight) for s in content_signals(normalise(text))]


@pytest.mark.parametrize(
    "text, words",
    [
        ("您好，我是OKX官方客服专员", "claims to be customer service or staff"),
        ("您的账户存在异常交易风险，已被临时冻结", "says your account or funds are at risk"),
        ("请把收到的验证码告诉我", "asks for a seed phrase, key, code, password or card number"),
        (
            "请提供您的交易密码以便核实",
            "asks for a seed phrase, key, code, password or card number",
        ),
        # traditional script
        ("請把私鑰發給我", "asks for a seed phrase, key, code, password or card number"),
        # 特别 is no warning
        (
            "特别提醒：请把验证码告诉我",
            "asks for a seed phrase, key, code, password or card number",
        ),
        (
            "这不会影响您的征信，请提供验证码",
            "asks for a seed phrase, key, code, password or card number",
        ),
        ("下载腾讯会议，开启屏幕共享，我一步步教您", "asks to share the screen"),
        ("我们会为您办理全额赔偿", "offers you a refund or compensation"),
        ("请先下载这个app完成认证", "tells you to install an app"),
        ("扫描下方二维码添加专属客服", "asks to scan a QR code"),
        ("请把资金转入安全账户", "'safe account'"),
        ("账户解冻需要先缴纳保证金", "'safe account'"),
        ("请将余额转账到我们指定的账户", "'safe account'"),
        ("请配合下载云视讯软件", "tells you to install an app"),
        # 将, written 把
        (
            "请将手机号和验证码发送给我们",
            "asks for a seed phrase, key, code, password or card number",
        ),
        ("由于工作人员失误，您被误开通了合约代理服务", "opened on your account by mistake"),
        ("您的账户被错误升级为VIP会员", "opened on your account by mistake"),
        ("如果不及时注销，将会影响您的个人征信", "credit record or monthly charges"),
        ("否则每月会从您的卡上扣费", "credit record or monthly charges"),
        ("请把款项转到我们工作人员的账户进行验证", "'safe account'"),
        ("方便接听视频电话吗", "asks to share the screen"),
        ("为了确保您的资金安全，请按步骤操作", "safety of your funds"),
        ("稳赚不赔，日收益5%，私聊", "guaranteed, daily or multiplied profits"),
        ("老师带单，拉你进群", "trading signals"),
        ("关注+转发，抽10个ETH", "gives away crypto for follows or reposts"),
        ("轉發關注送100 USDT", "gives away crypto for follows or reposts"),  # traditional script
    ],
)
def test_chinese_fake_support_scripts(text: str, words: str) -> None:
    assert any(words in s.words for s in content_signals(normalise(text))), text


def test_a_chinese_staff_claim_with_a_request_is_flagged() -> None:
    signals = content_signals(normalise("您好，我是OKX官方客服，请把助记词发给我帮您解冻账户"))
    score, label = combine(signals)
    assert score >= 0.5 and label == "credential_request"


@pytest.mark.parametrize(
    "text",
    [
        "提现需要手续费吗",  # a fee question
        "借呗借款需要先交保证金吗",  # asking about a demand is not making it
        "我的账户被冻结了怎么办",  # users describe their own account with 我的
        "我输入验证码后还是登录不了",  # typing a code into the app
        "如有疑问请联系我们的在线客服",  # 'contact us' is a sign-off, not a DM invitation
        "不要把助记词发给任何人",  # a warning
        "别把验证码告诉任何人",
        "官方永远不会向您索要验证码",
        "快递到了，请携带证件前来领取",  # 领取 a parcel is no airdrop
        "我下载了app但是打不开",
        "这个币能翻倍吗",
        "我的收益是多少",
        "余币宝日收益1%正常吗",  # an earn product's daily yield
        "谨防稳赚不赔的骗局",  # a warning
        "下载app后一直登录不了",
        "还没有下载客户端，怎么提现",
        "注销账户会影响征信吗",  # a question about credit, no threat
        "我不小心开通了自动续费怎么取消",  # a user's own mistake
        "如果不还款会影响征信吗",
    ],
)
def test_ordinary_chinese_questions_stay_low(text: str) -> None:
    assert combine(content_signals(normalise(text)))[0] < 0.5, _zh(text)


@pytest.mark.parametrize(
    "text",
    [
        "需要帮忙的私信我",
        "USDT 高价回收，私聊",
        "请私信",
        "私我",
        "私信领取空投",
        "有问题联系我",
        "加我微信",
    ],
)
def test_chinese_dm_invitations(text: str) -> None:
    assert any(s.words == "asks to DM" for s in content_signals(normalise(text)))


@pytest.mark.parametrize(
    "text",
    [
        "兄弟们小心，群里有假客服私聊要助记词，千万别给",  # a warning
        "官方不会私信你，凡是私信你的都是骗子",
        "有人私信我说是客服",  # a report of what someone else did
        "有人加我微信说是客服",
        "客服联系我了",
        "请注意保护个人隐私信息",  # 隐私信息 holds 私信
    ],
)
def test_chinese_warnings_and_reports_are_no_dm_invitation(text: str) -> None:
    assert not any(s.words == "asks to DM" for s in content_signals(normalise(text)))


@pytest.mark.parametrize(
    "text",
    [
        "欧易客服电话 400-820-1234，24小时在线",
        "Coinbase support number +1 (888) 555-0199",
        "call us at 888-555-0199 for a refund",
        "客服热线：13812345678",
    ],
)
def test_a_customer_service_phone_number_flags(text: str) -> None:
    assert any(
        s.words == "gives a customer-service phone number" and s.weight >= 0.5
        for s in content_signals(normalise(text))
    )


@pytest.mark.parametrize(
    "text",
    [
        "Never call a support number you found on X, like 1-800-555-0142",
        "what's the OKX support phone number?",
        "my number is 13812345678",
        "support ticket 2024-555-0199 still open",
    ],
)
def test_no_hotline_without_a_number_or_under_a_warning(text: str) -> None:
    assert not any(
        s.words == "gives a customer-service phone number" for s in content_signals(normalise(text))
    )


def test_more_chinese_scam_phrasings() -> None:
    words = {
        s.words for s in content_signals(normalise("你的账户已被风控，有问题找我，加我纸飞机"))
    }
    assert {
        "says your account or funds are at risk",
        "offers help or support",
        "invites to another app (纸飞机)",
    } <= words


@pytest.mark.parametrize(
    "text",
    [
        # a victim's report
        "someone DM'd me asking to send my seed phrase to verify my wallet, beware guys",
        "they asked me to install anydesk, I refused, it's a scam right?",
        "有人私信我说是客服，让我提供助记词，大家小心",
        'Scammers are posting "DM me for help" under every question here, ignore them',  # quoted
        'the scammer said "send 0.1 ETH and receive 0.2 ETH back", lol no',
        "Don't trust anyone asking you to connect your wallet to claim an airdrop",  # a warning
        "Never share your screen with anyone claiming to be support",
    ],
)
def test_members_telling_of_a_scam_are_not_the_scam(text: str) -> None:
    assert not any(s.weight >= 0.5 for s in content_signals(normalise(text)))


@pytest.mark.parametrize(
    "text, words",
    [
        ("Send your seed phrase to verify your wallet, I will fix it", "seed phrase"),
        ("please share your screen on anydesk so I can fix it", "remote-control"),
        # quotes, but nothing told of a scam
        ('Hello sir, "DM me for help" and I will guide you', "offers help"),
        ("send 0.1 ETH and receive 0.2 ETH back", "more crypto"),
        ("让我帮您处理，请提供助记词", "seed phrase"),  # 让我 as "let me" is the scam's own offer
    ],
)
def test_the_scam_itself_still_flags(text: str, words: str) -> None:
    assert any(words in s.words and s.weight >= 0.3 for s in content_signals(normalise(text)))
