"""Generate the bundled demo stream (stream.jsonl) from a fixed seed: run it to regenerate."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import string
import sys
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mnemonic import Mnemonic

SEED = 20261121
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"  # where the stream ships
ID_PREFIX = {
    "twitter": ("tw", 1000),
    "telegram": ("tg", 2000),
    "discord": ("dc", 3000),
    "reddit": ("rd", 4000),
}
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


# --- secrets: all fake, all made here from the seeded generator -----------------------------


def b58encode(data: bytes) -> str:
    """Plain base58 (bitcoin alphabet), keeping leading zero bytes as '1'."""
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def wif(key: bytes) -> str:
    """Wallet Import Format for a compressed mainnet key: 0x80 | key | 0x01 | checksum."""
    body = b"\x80" + key + b"\x01"
    check = hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4]
    return b58encode(body + check)


def b62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(width, "0")


def github_token(rng: random.Random) -> str:
    """ghp_ + 30 random base62 chars + a 6-char base62 CRC32, the shape GitHub uses."""
    body = "".join(rng.choice(B62) for _ in range(30))
    return "ghp_" + body + b62(zlib.crc32(body.encode()), 6)


def private_key(rng: random.Random) -> bytes:
    while True:
        key = rng.randbytes(32)
        if 0 < int.from_bytes(key, "big") < SECP256K1_N:
            return key


def mistype(phrase: str, rng: random.Random) -> str:
    """Swap one word for another list word so the BIP39 checksum no longer holds."""
    en = Mnemonic("english")
    words = phrase.split()
    while True:
        i = rng.randrange(len(words))
        candidate = words[:i] + [rng.choice(en.wordlist)] + words[i + 1 :]
        if not en.check(" ".join(candidate)):
            return " ".join(candidate)


def chars(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def make_secrets(rng: random.Random) -> dict[str, str]:
    """Every secret-looking string in the stream; the order of draws fixes the output."""
    en, zh = Mnemonic("english"), Mnemonic("chinese_simplified")
    alnum = string.ascii_letters + string.digits
    s: dict[str, str] = {}
    s["seed12"] = en.to_mnemonic(rng.randbytes(16))
    s["seed24"] = en.to_mnemonic(rng.randbytes(32))
    s["seed12_comma"] = ", ".join(en.to_mnemonic(rng.randbytes(16)).split())
    s["seed12_typo"] = mistype(en.to_mnemonic(rng.randbytes(16)), rng)
    s["seed_zh"] = "".join(zh.to_mnemonic(rng.randbytes(16)).split())
    s["seed_zh24"] = " ".join(zh.to_mnemonic(rng.randbytes(32)).split())
    s["hexkey"] = private_key(rng).hex()
    s["wif"] = wif(private_key(rng))
    s["okx_key"] = str(uuid.UUID(bytes=rng.randbytes(16), version=4))
    s["okx_secret"] = rng.randbytes(16).hex().upper()
    s["okx_pass"] = rng.choice(["Tr4der", "Moonbag", "Satoshi"]) + f"#{rng.randint(10, 99)}"
    s["bn_key"] = chars(rng, alnum, 64)
    s["bn_secret"] = chars(rng, alnum, 64)
    s["bot_token"] = f"{rng.randint(6_000_000_000, 7_999_999_999)}:AA" + chars(
        rng, alnum + "_-", 33
    )
    s["ghp"] = github_token(rng)
    s["pw_en"] = rng.choice(["Sunflower", "Bluebird", "Rocket"]) + f"{rng.randint(1980, 2004)}!"
    s["pw_cn"] = f"Qiang@{rng.randint(1980, 2000)}okx"
    s["pw_rd"] = f"hunter{rng.randint(10, 99)}okx!!"
    s["otp"] = f"{rng.randint(0, 999999):06d}"
    s["otp2"] = f"{rng.randint(0, 999999):06d}"
    s["txid"] = rng.randbytes(32).hex()
    s["txid_eth"] = "0x" + rng.randbytes(32).hex()
    s["txid_trx"] = rng.randbytes(32).hex()
    s["eth_addr"] = "0x" + rng.randbytes(20).hex()
    s["sol_sig"] = b58encode(rng.randbytes(64))
    return s


# --- authors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """An author as written in the table below; `since` is an ISO date or, for new accounts,
    days before START."""

    platform: str
    handle: str
    name: str
    since: str | int
    followers: int
    verified: bool = False
    bio: str = ""


def author_id(platform: str, rng: random.Random) -> str:
    if platform == "discord":
        return str(rng.randint(10**17, 10**18 - 1))
    if platform == "reddit":
        return "t2_" + chars(rng, string.ascii_lowercase + string.digits, 8)
    if platform == "telegram":
        return str(rng.randint(100_000_000, 7_999_999_999))
    return str(rng.randint(10**7, 10**18))


WHO: dict[str, Who] = {
    # brand accounts: old, verified, large
    "okx": Who("twitter", "okx", "OKX", "2017-01-05T00:00:00Z", 5_200_000, True),
    "helpdesk": Who(
        "twitter", "OKXHelpDesk", "OKX Customer Support", "2018-03-12T00:00:00Z", 412_000, True
    ),
    "tg_okx": Who(
        "telegram", "OKXOfficial_English", "OKX Official", "2018-06-01T00:00:00Z", 690_000, True
    ),
    "dc_okx": Who("discord", "OKX", "OKX", "2019-02-20T00:00:00Z", 180_000, True),
    "rd_okx": Who("reddit", "OKX_Official", "OKX_Official", "2018-09-04T00:00:00Z", 41_000, True),
    # twitter users
    "alice": Who("twitter", "alice_onchain", "Alice 🧊", "2019-05-01T00:00:00Z", 120),
    "coinnewbie": Who("twitter", "coinnewbie_88", "币圈小白", "2021-04-17T00:00:00Z", 58),
    "matt": Who("twitter", "mattbuildsstuff", "Matt R.", "2014-10-09T00:00:00Z", 2_310),
    "jenny": Who("twitter", "jenny_hodls", "Jenny", "2020-12-02T00:00:00Z", 412),
    "priya": Who("twitter", "priya_trades", "Priya S", "2022-02-11T00:00:00Z", 905),
    "leek": Who("twitter", "leek_diary", "韭菜日记", "2020-08-30T00:00:00Z", 3_377),
    "laowang": Who("twitter", "laowang_btc", "老王 BTC", "2017-11-21T00:00:00Z", 12_804),
    "ray": Who("twitter", "quantdev_ray", "Ray | quant", "2016-03-03T00:00:00Z", 1_764),
    "anna": Who("twitter", "algo_anna", "Anna", "2018-07-14T00:00:00Z", 6_020),
    "grandpa": Who("twitter", "hodl_grandpa", "Walt", "2023-01-09T00:00:00Z", 37),
    "degen": Who("twitter", "degen_dave", "Dave 🐸", "2021-05-20T00:00:00Z", 8_450),
    "tom": Who("twitter", "tomk_eth", "Tom K", "2019-09-27T00:00:00Z", 233),
    "xiaoyu": Who("twitter", "xiaoyu_web3", "小鱼 Web3", "2022-06-06T00:00:00Z", 1_102),
    "newsbot": Who("twitter", "cryptowire_daily", "CryptoWire", "2015-02-02T00:00:00Z", 88_000),
    "lin": Who("twitter", "lin_meimei", "林美美", "2019-03-15T00:00:00Z", 341),
    # twitter impersonators: days old, few followers
    "imp_cyr": Who("twitter", "\u041eKX_Helpdesk_", "OKX Helpdesk", 3, 14),
    "imp_care": Who("twitter", "okxcare_team", "OKX 官方客服", 6, 22),
    # sock puppets: ordinary-looking accounts that send users to an impersonator or a fake hotline
    "puppet": Who("twitter", "mike_hodl_22", "Mike", 20, 12),
    "imp_hotline": Who("twitter", "crypto_sara_x", "Sara", 15, 40),
    "imp_0kx": Who("twitter", "0kx_support", "OKX Support", 2, 5),
    "imp_capi": Who("twitter", "0KXHeIpDesk", "OKX HelpDesk", 4, 31),
    "imp_cn": Who("twitter", "OKX_Support_CN", "OKX 官方客服", 5, 9),
    "imp_wallet": Who("twitter", "okxwallet_rectify", "OKX Wallet Support", 1, 3),
    "imp_assist": Who("twitter", "OKXAssist247", "OKX Assist", 8, 47),
    # nothing in the handle or name: only the bio claims the brand's support
    "imp_bio": Who(
        "twitter", "helen_k_88", "Helen", 40, 210, bio="OKX Customer Support | DM for help 24/7"
    ),
    # telegram users and impersonators
    "danny": Who("telegram", "danny_k", "Danny", "2020-01-01T00:00:00Z", 0),
    "sam": Who("telegram", "newbie_sam", "Sam", "2024-02-10T00:00:00Z", 0),
    "li": Who("telegram", "botbuilder_li", "Li Wei", "2019-08-08T00:00:00Z", 0),
    "marco": Who("telegram", "marco_rossi", "Marco", "2021-03-03T00:00:00Z", 0),
    "aqiang": Who("telegram", "aqiang1988", "阿强", "2020-05-05T00:00:00Z", 0),
    "moon": Who("telegram", "moon_jiejie", "月亮姐姐", "2022-09-09T00:00:00Z", 0),
    "dabing": Who("telegram", "dabing_fan", "大饼信徒", "2021-01-21T00:00:00Z", 0),
    "ahua": Who("telegram", "ahua_tw", "阿華", "2019-12-12T00:00:00Z", 0),
    "zhou": Who("telegram", "zhou_trader", "周哥", "2018-04-04T00:00:00Z", 0),
    "imp_tg_admin": Who("telegram", "OKXSupport_Admin", "OKX Support", 2, 0),
    "imp_tg_live": Who("telegram", "okx_helpdesk_live", "OKX Helpdesk 24/7", 4, 0),
    "imp_tg_kefu": Who("telegram", "okx_kefu_01", "欧易官方客服", 3, 0),
    "imp_tg_trad": Who("telegram", "hk_helper_88", "歐易 客服", 2, 0),
    "puppet_cn": Who("telegram", "xiaomei_2025", "小美", 10, 0),
    # discord
    "kai": Who("discord", "kai.trades", "Kai", "2021-07-07T00:00:00Z", 0),
    "nora": Who("discord", "nora_codes", "Nora", "2020-10-10T00:00:00Z", 0),
    "felix": Who("discord", "felixbot", "Felix", "2022-11-11T00:00:00Z", 0),
    "yuki": Who("discord", "yuki.sol", "Yuki", "2023-03-30T00:00:00Z", 0),
    "chen": Who("discord", "chen_heyue", "陈合约", "2021-06-18T00:00:00Z", 0),
    "xiaobai": Who("discord", "xiaobai_0x", "小白", "2024-01-02T00:00:00Z", 0),
    "oldpaper": Who("discord", "paperhands_pete", "Pete", "2017-12-17T00:00:00Z", 0),
    "imp_dc_care": Who("discord", "okx.care.team", "OKX | Support", 5, 0),
    "dc_bonus": Who("discord", "bonus_hunter_77", "Bonus Hunter", 3, 0),
    # reddit
    "throwaway": Who("reddit", "throwaway_wd_2026", "throwaway_wd_2026", 40, 1),
    "solguy": Who("reddit", "sol_surfer_91", "sol_surfer_91", "2020-04-22T00:00:00Z", 210),
    "locked": Who("reddit", "lockedout_larry", "lockedout_larry", "2019-01-30T00:00:00Z", 64),
    "restorer": Who("reddit", "paper_backup_pam", "paper_backup_pam", "2021-08-01T00:00:00Z", 12),
    "helpful": Who("reddit", "ledger_lurker", "ledger_lurker", "2016-05-05T00:00:00Z", 3_900),
    "naija": Who("reddit", "lagos_p2p", "lagos_p2p", "2022-07-19T00:00:00Z", 88),
    "perp": Who("reddit", "perp_pain", "perp_pain", "2021-11-11T00:00:00Z", 430),
    "kycwait": Who("reddit", "waiting_on_kyc", "waiting_on_kyc", "2025-06-01T00:00:00Z", 3),
    "twuser": Who("reddit", "taipei_hodler", "taipei_hodler", "2020-02-29T00:00:00Z", 150),
    "grid": Who("reddit", "wanggeshou", "wanggeshou", "2019-09-09T00:00:00Z", 77),
    "loginfail": Who("reddit", "confused_carl", "confused_carl", "2024-12-24T00:00:00Z", 2),
    "imp_rd_greek": Who("reddit", "OKX_\u039ffficial", "OKX_\u039fficial", 3, 1),
    "imp_rd_spec": Who("reddit", "recovery_pro_mike", "recovery_pro_mike", 9, 1),
    # a Telegram group's admin, and an account that copies her name
    "hana": Who("telegram", "hana_okx_cm", "Hana | OKX Community", "2019-04-04T00:00:00Z", 0),
    "imp_tg_hana": Who("telegram", "hana_okx_cm_", "Hana | OKX Community", 1, 0),
}


# --- threads ---------------------------------------------------------------------------------


@dataclass
class Msg:
    """One post in a thread; `to` is the index of the post it answers (None for a root)."""

    who: str
    text: str
    expected: list[str]
    to: int | None


@dataclass
class Thread:
    """Posts in one place: a tweet thread, a group, a guild channel, a subreddit post or a DM."""

    platform: str
    channel: str
    where: str
    msgs: list[Msg] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)  # the place's admins, as the platform lists them


def m(who: str, text: str, *expected: str, to: int | None = 0) -> Msg:
    return Msg(who, text, list(expected), to)


SUP, IMP, LEAK = "support_request", "impersonation", "secret_leak"
HELP = "https://www.okx.com/help"
TICKET = "https://www.okx.com/support/submit-request"


def numbered(phrase: str) -> str:
    return "\n".join(f"{i}. {w}" for i, w in enumerate(phrase.split(), 1))


def threads(s: dict[str, str]) -> list[Thread]:
    """The stream, thread by thread, in the order it is replayed."""
    return [
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "alice",
                    '@okx my USDT withdrawal to Tron has been stuck on "pending" '
                    "for 6 hours. No TxID, nothing on Tronscan. What is going on??",
                    f"{SUP}:withdrawal",
                    to=None,
                ),
                m(
                    "imp_cyr",
                    "@alice_onchain Hi Alice, sorry for the inconvenience. "
                    "Kindly DM us your wallet details and registered email "
                    "so we can rectify the withdrawal from our end.",
                    f"{IMP}:lookalike_handle",
                ),
                m(
                    "helpdesk",
                    "@alice_onchain Hi Alice, sorry for the wait! TRC20 withdrawals can queue "
                    f"during busy periods. Please reach us via live chat at {HELP} with your UID "
                    "and we'll take a look. We will never ask for your password or seed phrase.",
                ),
                m(
                    "alice",
                    "@OKXHelpDesk thanks, talking to live chat now. and lol "
                    'at the fake "helpdesk" that showed up in 30 seconds',
                    to=2,
                ),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXOfficial_English",
            [
                m(
                    "danny",
                    "anyone else's withdrawal pending? 1200 USDC on "
                    "Arbitrum, been 3 hours and it still says processing",
                    f"{SUP}:withdrawal",
                    to=None,
                ),
                m(
                    "imp_tg_admin",
                    "Hello Danny 👋 I'm one of the admins here. Please DM me your "
                    "UID so I can escalate your ticket with the withdrawal team.",
                    f"{IMP}:fake_support_reply",
                ),
                m(
                    "imp_tg_live",
                    "@danny_k contact our agent on WhatsApp +1 "
                    "555 0147 for fast resolution, available 24/7",
                    f"{IMP}:offplatform_contact",
                ),
                m(
                    "tg_okx",
                    "Reminder: admins will NEVER DM you first and we never use WhatsApp. "
                    f"@danny_k please use live chat at {HELP} for account issues.",
                ),
                m("danny", "arrived just now 👍 ignoring the DMs"),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "coinnewbie",
                    "@okx 提币到另一个交易所已经三个小时了还显示处理中"
                    f"，TxID: {s['txid']} 链上也查不到，请问怎么回事？",
                    f"{SUP}:withdrawal",
                    to=None,
                ),
                m(
                    "imp_care",
                    "@coinnewbie_88 您好，您的提币已被风控冻结，请加客服微信 "
                    "okx_kf888 处理，或访问 okx-wallet-sync.com 同步钱包后自动解冻。",
                    f"{IMP}:offplatform_contact",
                ),
                m(
                    "okx",
                    "@coinnewbie_88 您好，请不要相信任何私信您或要求添加微信的账号。请通过官方在"
                    f"线客服 {HELP} 提交您的UID，我们会尽快核查。我们绝不会索要您的密码或助记词。",
                ),
            ],
        ),
        Thread(
            "reddit",
            "public",
            "withdrawal_stuck_in_processing_for_2_days",
            [
                m(
                    "throwaway",
                    'Withdrawal stuck in "processing" for 2 days, anyone had '
                    "this?\n\nWithdrew 0.8 BTC to my hardware wallet on Wednesday. "
                    'Status hasn\'t moved since. Support chat said "under review" '
                    "and nothing since. Is this normal for bigger amounts?",
                    f"{SUP}:withdrawal",
                    to=None,
                ),
                m(
                    "helpful",
                    "Had a 2 BTC withdrawal go to manual review last year, took about 30 hours. "
                    "Annoying but it came through. Don't open five tickets, it resets the queue.",
                ),
                m(
                    "imp_rd_greek",
                    "Hi, this is OKX support. For urgent withdrawals kindly reach "
                    "our support line on WhatsApp +1 555 0182 or email "
                    "okxsupportdesk@gmail.com with your UID and we will release it.",
                    f"{IMP}:lookalike_handle",
                ),
                m(
                    "rd_okx",
                    "Hi! Large withdrawals sometimes need an extra security review. "
                    f"Please keep the one ticket open ({TICKET}), we'll update you there. "
                    "Note: we never contact users via WhatsApp or Gmail addresses.",
                ),
                m("throwaway", "Thanks, will wait. Reported the fake one.", to=3),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "degen",
                    "my withdrawal arrived in 2 minutes, great "
                    "job @okx 🔥 other exchanges take notes",
                    to=None,
                ),
            ],
        ),
        Thread(
            "discord",
            "group",
            "support",
            [
                m(
                    "kai",
                    "my spot limit buy for SOL filled way above my limit price??? set "
                    "it at 142.10 and the fill shows 143.9. order id 6493018827712",
                    f"{SUP}:trading",
                    to=None,
                ),
                m(
                    "imp_dc_care",
                    "Hey Kai! Please open a ticket with our support bot here: "
                    "https://0kx-support.com/ticket and connect your wallet to verify ownership.",
                    f"{IMP}:phishing_link",
                ),
                m("yuki", "kai don't click that, real staff have the OKX role"),
                m(
                    "dc_okx",
                    "Hi Kai! A limit order never fills above its limit: the "
                    "143.9 is likely the average including a taker fee. Share "
                    f"the order ID via {HELP} and we'll check. Reminder: staff "
                    "will never DM you first or ask you to connect a wallet.",
                ),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "matt",
                    "Lost my phone and with it Google Authenticator. Can't log "
                    "into @okx at all. How do I reset 2FA without the old device?",
                    f"{SUP}:login",
                    to=None,
                ),
                m(
                    "imp_capi",
                    "@mattbuildsstuff We can help you reset it right away. Sign in here "
                    "to verify your identity: https://okx.com.verify-login.io/reset",
                    f"{IMP}:phishing_link",
                ),
                m(
                    "jenny",
                    "@mattbuildsstuff same happened to me, the reset in the app "
                    "took ~2 days with a selfie video. go through the official flow",
                ),
                m(
                    "helpdesk",
                    "@mattbuildsstuff Hi Matt, you can start a 2FA reset from the "
                    'login page ("Can\'t use authenticator?"). Only use okx.com; '
                    f"links like the one above are phishing. Live chat: {HELP}",
                ),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXChinese",
            [
                m(
                    "aqiang",
                    "换了手机号，验证码收不到，登录不了欧易账户怎么办？急",
                    f"{SUP}:login",
                    to=None,
                ),
                m(
                    "imp_tg_kefu",
                    "您好，我是欧易官方客服，请加客服微信 okx_kf888 "
                    "，提供账户密码和验证码，我们帮您后台处理。",
                    f"{IMP}:offplatform_contact",
                ),
                m(
                    "aqiang",
                    f"好的，密码是 {s['pw_cn']} ，验证码 {s['otp']}，麻烦快点",
                    f"{SUP}:login",
                    f"{LEAK}:password",
                    to=1,
                ),
                m(
                    "tg_okx",
                    "@aqiang1988 请立即修改密码！官方客服不会私聊您，不会要求您加微"
                    f"信，也不会索要密码或验证码。请只通过官方在线客服处理：{HELP}",
                    to=2,
                ),
                m("zhou", "群里这种假客服天天有，大家小心"),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "priya",
                    'Third time my KYC got rejected on OKX. "Document could not be verified'
                    "\". It's a valid passport!! What am I doing wrong? @OKXHelpDesk",
                    f"{SUP}:kyc",
                    to=None,
                ),
                m(
                    "imp_0kx",
                    "@priya_trades Hello Priya, our verification team can approve you manually. "
                    "Please send your passport photo, a selfie and your login password via DM.",
                    f"{IMP}:credential_request",
                ),
                m(
                    "helpdesk",
                    "@priya_trades Hi Priya, sorry about that. Glare and cropped "
                    "corners are the usual causes; please retry in the app in "
                    f"good light. If it fails again, open a ticket at {TICKET}. "
                    "Never send documents or passwords to anyone by DM.",
                ),
            ],
        ),
        Thread(
            "discord",
            "group",
            "general",
            [
                m("felix", "the new dark mode in the OKX app looks clean ngl", to=None),
                m("yuki", "also the chart widgets finally load fast"),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "leek",
                    "昨晚BTC插针，我的合约仓位被强平了，标记价"
                    "格根本没到我的强平价！@okx 这个怎么解释？",
                    f"{SUP}:trading",
                    to=None,
                ),
                m("laowang", "@leek_diary 同样被插了，兄弟节哀。下次别开那么高倍数"),
                m(
                    "imp_cn",
                    "@leek_diary 您好，强平补偿请联系专属经理 Telegram "
                    "@okx_compensation_desk ，需要提供钱包助记词验证身份。",
                    f"{IMP}:credential_request",
                ),
                m(
                    "okx",
                    "@leek_diary 您好，强平依据标记价格计算。请通过在线客服提交订单号，我们会"
                    f"帮您核查：{HELP}。欧易不会通过Telegram私聊处理补偿，也绝不会索要助记词。",
                ),
            ],
        ),
        Thread(
            "reddit",
            "public",
            "deposit_not_credited_after_24_hours_sol",
            [
                m(
                    "solguy",
                    "Deposit not credited after 24 hours (SOL)\n\nSent 35 SOL from "
                    "Phantom to my OKX deposit address. Explorer shows it finalized, "
                    f"signature {s['sol_sig']}. Balance still zero. Anyone else?",
                    f"{SUP}:deposit",
                    to=None,
                ),
                m(
                    "helpful",
                    "Check if you sent it on Solana and not a wrapped "
                    "version on another chain. That's the #1 cause.",
                ),
                m(
                    "rd_okx",
                    "Hi, sorry about that! Please submit the signature through our "
                    f"deposit form ({TICKET}) so the team can trace it. Never share "
                    "your wallet's recovery phrase with anyone claiming to be support.",
                ),
                m("solguy", "Update: credited after the ticket. Thanks.", to=2),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "xiaoyu",
                    '@okx 身份认证被拒三次了，每次都说"人脸与证'
                    '件不符"，可那就是我本人啊，到底要怎么弄？',
                    f"{SUP}:kyc",
                    to=None,
                ),
                m(
                    "imp_0kx",
                    "@xiaoyu_web3 您好，这边可以帮您人工通过认证，请点击 "
                    "https://0kx-support.com/kyc 上传证件并输入登录密码。",
                    f"{IMP}:phishing_link",
                ),
                m(
                    "okx",
                    "@xiaoyu_web3 您好，请在光线充足处重新进行人脸识别，"
                    f"摘下眼镜和帽子。如仍失败，请通过官方在线客服 {HELP} "
                    "联系我们。欧易不会让您在其他网站上传证件或输入密码。",
                ),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXOfficial_English",
            [
                m(
                    "sam",
                    "can someone help, my OKX Wallet shows 0 balance after the update. my "
                    f"recovery phrase is\n{numbered(s['seed24'])}\nis it the right one??",
                    f"{SUP}:other",
                    f"{LEAK}:seed_phrase",
                    to=None,
                ),
                m("marco", "@newbie_sam DELETE THIS NOW. never post those words anywhere"),
                m(
                    "tg_okx",
                    "@newbie_sam please move any funds to a new wallet immediately: "
                    "anyone who saw those words controls the old one. The message "
                    "has been removed. We will never ask for your recovery phrase.",
                ),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "ray",
                    'Anyone else getting 50011 "Rate limit reached" on the OKX v5 '
                    "REST API since this morning? Only ~3 req/s on /api/v5/trade/order.",
                    f"{SUP}:api",
                    to=None,
                ),
                m(
                    "anna",
                    "@quantdev_ray order endpoints are limited per instrument per UID "
                    "now. Batch them with /api/v5/trade/batch-orders, fixed it for me",
                ),
                m(
                    "ray",
                    "@algo_anna still failing 🙃 here's my config, maybe someone "
                    f'spots it:\napi_key = "{s["okx_key"]}"\nsecret_key = "'
                    f'{s["okx_secret"]}"\npassphrase = "{s["okx_pass"]}"',
                    f"{SUP}:api",
                    f"{LEAK}:api_key",
                    to=1,
                ),
                m(
                    "helpdesk",
                    "@quantdev_ray Please delete that tweet and delete the API key "
                    "under Profile > API right now; anyone with it can trade on your "
                    f"account. For the rate limit, our API team can help via {HELP}.",
                    to=2,
                ),
            ],
        ),
        Thread(
            "twitter",
            "dm",
            "helpdesk",
            [
                m(
                    "tom",
                    'Hi, my account got frozen after I changed my email. It says "account '
                    'restricted for security reasons". How long does this usually take?',
                    f"{SUP}:other",
                    to=None,
                ),
                m(
                    "helpdesk",
                    "Hi Tom, thanks for reaching out. For your security, withdrawals are "
                    "paused for 24 hours after an email change. If it's still restricted "
                    f"after that, please contact live chat at {HELP} and we'll review it.",
                ),
            ],
        ),
        Thread(
            "discord",
            "group",
            "api-dev",
            [
                m(
                    "nora",
                    'getting {"code":"50113","msg":"Invalid Sign"} on '
                    "every private endpoint. signing timestamp+method+path+body "
                    "with HMAC SHA256 then base64. 签名错误 what am I missing?",
                    f"{SUP}:api",
                    to=None,
                ),
                m(
                    "felix",
                    "are you sending the timestamp in ISO format "
                    "with ms? unix seconds gives exactly that error",
                ),
                m(
                    "nora",
                    "tried both. repo is private, clone it and see if you can reproduce: "
                    f"git clone https://{s['ghp']}@github.com/nora-codes/okx-mm-bot",
                    f"{LEAK}:token",
                    to=1,
                ),
                m(
                    "dc_okx",
                    "@nora_codes please revoke that GitHub token now, it's visible to the "
                    "whole channel. On the signature: the prehash must use the request "
                    "path including the query string. Docs: https://www.okx.com/docs-v5/en/",
                    to=2,
                ),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "grandpa",
                    "I've been hacked, everything gone from my wallet. Here is my "
                    f"seed phrase, please check what happened @okx: {s['seed12']}",
                    f"{SUP}:other",
                    f"{LEAK}:seed_phrase",
                    to=None,
                ),
                m(
                    "imp_wallet",
                    "@hodl_grandpa Sir your wallet needs to be synced. "
                    "Validate it at okx-wallet-sync.com to recover the funds",
                    f"{IMP}:phishing_link",
                ),
                m(
                    "okx",
                    "@hodl_grandpa Please delete this post now: anyone who sees these "
                    "words controls the wallet. Move anything left to a new wallet and "
                    f"contact us only via {HELP}. We will never ask for your seed phrase.",
                ),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXChinese",
            [
                m("dabing", "今天大饼又站上去了，牛市要来了吗 🚀", to=None),
                m("zhou", "别急，先看周线，行情还没走完"),
                m("dabing", "周哥说得对，谢谢"),
            ],
        ),
        Thread(
            "discord",
            "group",
            "api-dev",
            [
                m(
                    "oldpaper",
                    "porting my bot from Binance to OKX. the old .env had\n"
                    f"BINANCE_API_KEY={s['bn_key']}\nBINANCE_API_SECRET="
                    f"{s['bn_secret']}\nwhat are the equivalent fields on OKX?",
                    f"{SUP}:api",
                    f"{LEAK}:api_key",
                    to=None,
                ),
                m(
                    "kai",
                    "bro you just leaked your keys. rotate them on binance "
                    "right now. OKX needs key + secret + passphrase",
                ),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m("jenny", "@okx when $PEPE perps with 100x? list it please 🐸", to=None),
                m("degen", "@jenny_hodls this is the way"),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXChinese",
            [
                m(
                    "moon",
                    f"钱包被盗了😭 助记词：{s['seed_zh']} 求大佬帮我看看币转到哪里去了",
                    f"{SUP}:other",
                    f"{LEAK}:seed_phrase",
                    to=None,
                ),
                m("zhou", "快删掉！！助记词绝对不能发出来，群里骗子很多"),
                m(
                    "tg_okx",
                    "@moon_jiejie 请立即删除该消息，并将剩余资产转到新钱包。任何看到"
                    f"助记词的人都能控制您的钱包。如需帮助请联系官方在线客服：{HELP}",
                ),
            ],
        ),
        Thread(
            "reddit",
            "public",
            "locked_out_after_changing_phone_2fa_reset_rejected",
            [
                m(
                    "locked",
                    "Locked out after changing phone, 2FA reset rejected twice\n\nNew "
                    "phone, no backup of my authenticator. The reset keeps getting "
                    "rejected with no reason. I have ~$4k in there. What else can I try?",
                    f"{SUP}:login",
                    to=None,
                ),
                m(
                    "imp_rd_spec",
                    "PM me. I'm a recovery specialist who works with OKX, got "
                    "my own account back in a day. Small fee after success only.",
                    f"{IMP}:fake_support_reply",
                ),
                m(
                    "helpful",
                    '^ scam. Nobody "works with OKX" in reddit comments. Do the video '
                    "verification in a well-lit room, that's what got mine approved.",
                ),
                m(
                    "rd_okx",
                    "Hi, sorry you're stuck. Please reply to your reset ticket "
                    f"or start a new one at {TICKET} and mention both "
                    'rejections. We never work through "recovery specialists".',
                ),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "newsbot",
                    "OKX publishes its monthly proof-of-reserves snapshot; "
                    "reserves for BTC, ETH and USDT reported above 100% of "
                    "user balances. Full report on the exchange's site.",
                    to=None,
                ),
            ],
        ),
        Thread(
            "discord",
            "group",
            "中文",
            [
                m(
                    "chen",
                    "合约开仓一直提示保证金不足，但是我账户里明明有2000 USDT，这是什么情况？",
                    f"{SUP}:trading",
                    to=None,
                ),
                m("xiaobai", "你的U可能在资金账户，要先划转到交易账户"),
                m("chen", "原来如此，划转之后可以了，谢谢！"),
            ],
        ),
        Thread(
            "telegram",
            "dm",
            "tg_okx",
            [
                m(
                    "marco",
                    "Hi, my deposit of 300 USDT on TRC20 hasn't "
                    f"arrived after 2 hours. TxID: {s['txid_trx']}",
                    f"{SUP}:deposit",
                    to=None,
                ),
                m(
                    "tg_okx",
                    "Hi Marco, thanks for the TxID. Please check that the deposit "
                    "network was TRC20 in the app, and if it still isn't there, "
                    f"submit it via live chat at {HELP} so our team can trace it.",
                ),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "tom",
                    f"Sent 0.5 ETH to my OKX deposit address {s['eth_addr']} two hours ago, "
                    f"40+ confirmations, still not credited. TxID {s['txid_eth']} @OKXHelpDesk",
                    f"{SUP}:deposit",
                    to=None,
                ),
                m(
                    "imp_assist",
                    "@tomk_eth Hi Tom, deposits are delayed due to a sync issue. Fill the "
                    "recovery form here and it will be credited: bit.ly/okx-deposit-fix",
                    f"{IMP}:phishing_link",
                ),
                m(
                    "helpdesk",
                    "@tomk_eth Hi Tom, sorry for the delay! Please share the TxID with us via "
                    f"live chat at {HELP}. Shortened links from other accounts are not ours.",
                ),
            ],
        ),
        Thread(
            "discord",
            "dm",
            "dc_okx",
            [
                m(
                    "oldpaper",
                    f"Hi, found an old paper wallet. The WIF private key is {s['wif']}"
                    " can I import it into OKX Wallet? is there still BTC on it?",
                    f"{SUP}:other",
                    f"{LEAK}:private_key",
                    to=None,
                ),
                m(
                    "dc_okx",
                    "Hi Pete, please don't share private keys with anyone, including us. "
                    "Treat this key as exposed: import it yourself on a trusted device "
                    f"and move the funds to a new address right away. Guide: {HELP}",
                ),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXOfficial_English",
            [
                m(
                    "li",
                    "my price alert bot that pulls OKX tickers keeps getting 429 from the "
                    f"public API. bot token is {s['bot_token']} , can someone check if it's dead?",
                    f"{SUP}:api",
                    f"{LEAK}:token",
                    to=None,
                ),
                m(
                    "marco",
                    "@botbuilder_li revoke that in BotFather, anyone can hijack "
                    "your bot now. and poll every 2s instead of in a tight loop",
                ),
            ],
        ),
        Thread(
            "twitter",
            "dm",
            "helpdesk",
            [
                m(
                    "lin",
                    f"我的账户被盗了！！密码是 {s['pw_en']} 你们快帮我看看是谁登录的",
                    f"{SUP}:login",
                    f"{LEAK}:password",
                    to=None,
                ),
                m(
                    "helpdesk",
                    "您好，请立即修改密码并开启双重验证，请不要向任何人（包括我们）发送密"
                    f"码。请通过在线客服 {HELP} 申请冻结账户，我们会协助您排查登录记录。",
                ),
            ],
        ),
        Thread(
            "reddit",
            "public",
            "restoring_okx_wallet_says_invalid_mnemonic",
            [
                m(
                    "restorer",
                    'Restoring OKX Wallet says "invalid mnemonic"\n\nCopied it '
                    f"from my paper backup: {', '.join(s['seed12_typo'].split())}"
                    ". Did I write it down wrong or is the app broken?",
                    f"{SUP}:other",
                    f"{LEAK}:seed_phrase",
                    to=None,
                ),
                m(
                    "helpful",
                    "DELETE THIS NOW. Even with one word wrong anyone can brute-force "
                    "the right one in minutes. Then move everything to a new wallet.",
                ),
            ],
        ),
        Thread(
            "discord",
            "group",
            "support",
            [
                m(
                    "yuki",
                    'withdrawals disabled on my account, it just says "risk '
                    'control". I only did normal spot trades, please help',
                    f"{SUP}:withdrawal",
                    to=None,
                ),
                m(
                    "dc_okx",
                    "Hi Yuki, a risk-control hold needs a short review by our team. Please open "
                    f"live chat at {HELP} and quote your UID; nobody here will DM you about it.",
                ),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXChinese",
            [
                m(
                    "ahua",
                    "請問歐易的台灣用戶可以用新台幣入金嗎？銀行轉帳之後一直沒有到帳",
                    f"{SUP}:deposit",
                    to=None,
                ),
                m("zhou", "可以走C2C，银行转账要等一两个工作日"),
                m("ahua", "了解，謝謝！"),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "xiaoyu",
                    "还是习惯叫它OKEx哈哈，今天欧易现货深度不错，行情终于动起来了",
                    to=None,
                ),
            ],
        ),
        Thread(
            "reddit",
            "public",
            "liquidated_on_eth_perp_even_though_stop_loss_was_set",
            [
                m(
                    "perp",
                    "Liquidated on ETH perp even though my stop loss was set\n\nSL "
                    "at 3,020, liquidation price 2,950. Wick went to 2,940 and I "
                    "got liquidated instead of stopped out. How does that happen?",
                    f"{SUP}:trading",
                    to=None,
                ),
                m(
                    "helpful",
                    "Stop-market triggers on last price by default, liquidation uses mark "
                    "price. If the book was thin the SL fill could be way below the trigger.",
                ),
                m(
                    "rd_okx",
                    "Hi, sorry about the loss. Please send the order IDs through "
                    f"{TICKET} and we'll review the trigger and fill for you.",
                ),
            ],
        ),
        Thread(
            "discord",
            "group",
            "中文",
            [
                m(
                    "xiaobai",
                    f"我的MetaMask私钥是 {s['hexkey']} ，导入欧易钱包一直显示格式错误，怎么办？",
                    f"{SUP}:other",
                    f"{LEAK}:private_key",
                    to=None,
                ),
                m("chen", "兄弟私钥发群里了！！赶紧把币转走，这个钱包已经不安全了"),
                m(
                    "dc_okx",
                    "@xiaobai_0x 请立即将资产转移到新钱包，私钥一旦公"
                    "开就不再安全。导入时请确认没有多余空格或0x前缀。",
                ),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "okx",
                    "Scheduled maintenance: spot and derivatives trading "
                    "will pause on Nov 22 02:00-02:30 UTC for a system "
                    "upgrade. Deposits and withdrawals are unaffected.",
                    to=None,
                ),
                m("degen", "@okx 30 minutes of no trading = 30 minutes of not losing money 🙏"),
            ],
        ),
        Thread(
            "telegram",
            "dm",
            "tg_okx",
            [
                m(
                    "moon",
                    "身份认证一直审核失败，提示证件照片不清晰，已经试了四次了，怎么办",
                    f"{SUP}:kyc",
                    to=None,
                ),
                m(
                    "tg_okx",
                    "您好，建议在光线充足的地方拍摄，确保证件四角完整、无反光。如"
                    f"果仍然失败，请通过在线客服 {HELP} 提交工单，我们会人工审核。",
                ),
            ],
        ),
        Thread(
            "reddit",
            "public",
            "kyc_stuck_on_under_review_for_10_days",
            [
                m(
                    "kycwait",
                    'KYC stuck on "under review" for 10 days\n\nUploaded ID '
                    "and proof of address on the 10th. Still under review, "
                    "can't deposit fiat. Is there a way to speed it up?",
                    f"{SUP}:kyc",
                    to=None,
                ),
                m("naija", "Mine took 4 days during the last bull run. They're probably swamped."),
            ],
        ),
        Thread(
            "discord",
            "group",
            "support",
            [
                m(
                    "yuki",
                    'someone from "OKX support" told me to paste my phrase '
                    "in their sync form and now my wallet is empty. this is "
                    f"what I entered: {s['seed12_comma']}. what do I do now??",
                    f"{SUP}:other",
                    f"{LEAK}:seed_phrase",
                    to=None,
                ),
                m(
                    "dc_okx",
                    "@yuki.sol we're so sorry. That was a scam: we never ask for a recovery "
                    "phrase. Please delete this message, stop using that wallet and report "
                    f"the theft via {HELP} so we can flag the receiving addresses.",
                ),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "anna",
                    "Moved most of my stack off exchanges to cold storage this "
                    "weekend. Nothing against OKX, just not your keys, not your coins.",
                    to=None,
                ),
            ],
        ),
        Thread(
            "discord",
            "group",
            "support",
            [
                m(
                    "felix",
                    f"the 2fa code for my account is {s['otp2'][:3]} {s['otp2'][3:]}, can "
                    "an admin log in and fix my margin settings? I keep getting logged out",
                    f"{SUP}:login",
                    f"{LEAK}:password",
                    to=None,
                ),
                m(
                    "dc_okx",
                    "@felixbot please never share 2FA codes: no admin will ever log "
                    f"in to your account. For the logouts, contact live chat at {HELP}.",
                ),
            ],
        ),
        Thread(
            "reddit",
            "public",
            "zhang_hu_bei_dong_jie_le",
            [
                m(
                    "twuser",
                    "帳戶被凍結了，客服說要等風控審核\n\n已經三天了，有人遇過嗎？大概要等多久？",
                    f"{SUP}:other",
                    to=None,
                ),
                m("grid", "我之前也被风控过一次，五天左右解冻，耐心等吧"),
            ],
        ),
        Thread(
            "reddit",
            "dm",
            "rd_okx",
            [
                m(
                    "loginfail",
                    'Hi mods, login keeps failing with "incorrect password" but I\'m '
                    f"sure it's right. Password is {s['pw_rd']} please check what's wrong",
                    f"{SUP}:login",
                    f"{LEAK}:password",
                    to=None,
                ),
                m(
                    "rd_okx",
                    "Hi, please change that password right away and never send "
                    'it to anyone, including us. Use "Forgot password" on '
                    f"the login page; if that fails, live chat can help: {HELP}",
                ),
            ],
        ),
        Thread(
            "reddit",
            "public",
            "okx_for_p2p_in_nigeria",
            [
                m(
                    "naija",
                    "OKX P2P in Nigeria, how is it these days?\n\nThinking of "
                    "moving from other platforms. Merchants reliable? Fees?",
                    to=None,
                ),
                m(
                    "solguy",
                    "Used it for a few months, pretty smooth. "
                    "Stick to merchants with high completion rates.",
                ),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXChinese",
            [
                m(
                    "ahua",
                    f"朋友的钱包助记词 {s['seed_zh24']} 他说导入不了，是不是字写错了？",
                    f"{LEAK}:seed_phrase",
                    to=None,
                ),
                m(
                    "tg_okx",
                    "@ahua_tw 请立即删除该消息并提醒您的朋友转移资产，助记词公开后钱包就不安全了。",
                ),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXChinese",
            [
                m(
                    "zhou",
                    "USDT提币到冷钱包显示审核中，已经快五个小"
                    "时了，以前都是几分钟就到，有人一样吗？",
                    f"{SUP}:withdrawal",
                    to=None,
                ),
                m(
                    "imp_tg_kefu",
                    "@zhou_trader 您好，您的提币需要二次验证，请登录 "
                    "https://okx.com.verify-login.io 完成验证即可放行。",
                    f"{IMP}:phishing_link",
                ),
                m(
                    "tg_okx",
                    "@zhou_trader 上面的链接是钓鱼网站，请勿点击！欧易官网"
                    f"只有 okx.com。提币审核进度请通过在线客服查询：{HELP}",
                ),
                m("zhou", "已到账，虚惊一场，大家注意那个假客服"),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "lin",
                    "@okx 量化机器人调用API一直报 50011 请求过于"
                    "频繁，明明每秒才下几单，是限频规则改了吗？",
                    f"{SUP}:api",
                    to=None,
                ),
                m("laowang", "@lin_meimei 下单接口现在按产品ID单独限频，批量下单接口会好很多"),
                m("lin", "@laowang_btc 改成批量下单之后好了，感谢大佬 🙏", to=1),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "jenny",
                    "@okx deposited 0.5 ETH 2 hours ago, 60+ confirmations on Etherscan "
                    "and my balance still shows nothing. Help?",
                    f"{SUP}:deposit",
                    to=None,
                ),
                m(
                    "puppet",
                    "@jenny_hodls same happened to me last week, contact @OKX_Support_Desk "
                    "they fixed mine in 10 minutes",
                    f"{IMP}:lookalike_mention",
                ),
                m(
                    "imp_hotline",
                    "@jenny_hodls OKX customer care hotline +1 (888) 555-0199, they pick up 24/7",
                    f"{IMP}:offplatform_contact",
                ),
                m(
                    "helpdesk",
                    "@jenny_hodls Sorry for the wait, Jenny. We have no phone line and "
                    f"@OKX_Support_Desk is not us. Please share your TxID in live chat at {HELP}.",
                ),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXChinese",
            [
                m(
                    "ahua",
                    "我的帳戶提幣一直失敗，顯示風控審核中，已經兩天了，請問怎麼辦？",
                    f"{SUP}:withdrawal",
                    to=None,
                ),
                m("imp_tg_trad", "@ahua_tw 您好，請問是哪個幣種？", f"{IMP}:lookalike_handle"),
                m(
                    "puppet_cn",
                    "@ahua_tw 联系飞机@okx_kefu_vip 解封，我上次就是他处理的，很快",
                    f"{IMP}:lookalike_mention",
                ),
                m(
                    "tg_okx",
                    "@ahua_tw 请只通过在线客服处理，官方客服不会用私人飞机号联系您，"
                    f"上面两个账号都不是官方：{HELP}",
                ),
            ],
        ),
        Thread(
            "discord",
            "group",
            "中文",
            [
                m("xiaobai", "今天ETH走势好强，欧易上的成交量也起来了", to=None),
                m("chen", "牛市氛围，不过别追高，谢谢分享"),
            ],
        ),
        Thread(
            "discord",
            "group",
            "general",
            [
                m("kai", "withdrew to my Ledger, arrived in under a minute. respect 🫡", to=None),
                m("nora", "anyone going to the OKX meetup in Dubai next month?"),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "laowang",
                    "牛市来了，今天又是爆仓的一天，谢谢欧易客服帮我查清楚了订单问题 👍",
                    to=None,
                ),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "coinnewbie",
                    "欧意的活期理财收益最近还不错，闲置的USDT放进去吃点利息 😄",
                    to=None,
                ),
                m("xiaoyu", "@coinnewbie_88 我也是，比放着不动强，谢谢分享"),
            ],
        ),
        Thread(
            "reddit",
            "public",
            "anyone_using_grid_bots",
            [
                m(
                    "grid",
                    "有没有人用欧易的网格交易？\n\n最近震荡行情跑得还行，大家收益怎么样？",
                    to=None,
                ),
                m("twuser", "我跑了ETH網格兩個月，大概年化15%左右，但是單邊行情要小心"),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXEnglish",
            [
                m(
                    "hana",
                    "Heads up: TRC20 withdrawals are slower than usual today, the team is on it. "
                    "Nothing is lost; they will arrive.",
                    to=None,
                ),
                m(
                    "marco",
                    "@hana_okx_cm mine has been pending for 5 hours now, is there anything I can "
                    "do?",
                    f"{SUP}:withdrawal",
                ),
                m(
                    "imp_tg_hana",
                    "@marco_rossi DM me your UID and I will push it through manually",
                    f"{IMP}:fake_support_reply",
                    to=1,
                ),
                m(
                    "hana",
                    "@marco_rossi that account is not me and admins never DM first. Please wait or "
                    f"open a ticket at {TICKET}",
                    to=1,
                ),
                # the group's bot deletes links, so the puppet hides the dot;
                # a member warns, hiding it too
                m(
                    "puppet_cn",
                    "@marco_rossi same here, it got fixed at okx-withdraw[.]com in 5 min",
                    f"{IMP}:phishing_link",
                    to=1,
                ),
                m(
                    "danny",
                    "@marco_rossi careful, okx-withdraw[.]com is phishing, never log in there",
                    to=1,
                ),
            ],
            staff=["hana"],
        ),
        Thread(
            "discord",
            "group",
            "support",
            [
                m(
                    "felix",
                    "the USDT bonus from last week's trading campaign never reached my account, "
                    "where do I check it?",
                    f"{SUP}:other",
                    to=None,
                ),
                # no brand in the name: a host named only for a lure (claim + usdt + bonus)
                m(
                    "dc_bonus",
                    "@felixbot bonuses are paid manually now, claim yours at claim-usdt-bonus.top",
                    f"{IMP}:phishing_link",
                ),
            ],
        ),
        Thread(
            "twitter",
            "public",
            "",
            [
                m(
                    "jenny",
                    "@okx my 300 USDT deposit on TRC20 still hasn't arrived after 2 hours, the "
                    "explorer says confirmed",
                    f"{SUP}:deposit",
                    to=None,
                ),
                # support talk with no offer of help: the bio makes it one
                m(
                    "imp_bio",
                    "@jenny_hodls what is your UID? I will check it for you",
                    f"{IMP}:lookalike_handle",
                ),
            ],
        ),
        Thread(
            "telegram",
            "group",
            "OKXChinese",
            [
                # a member's warning: it names support and codes but asks for nothing
                m(
                    "zhou",
                    "提醒一下新来的朋友：最近有骗子冒充客服私聊，官方绝不会找你要验证码或助记词，遇到直接举报",
                    to=None,
                ),
            ],
        ),
    ]


# --- assembly ------------------------------------------------------------------------------


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def b36(n: int) -> str:
    digits = string.digits + string.ascii_lowercase
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


def author_json(key: str, ids: dict[str, str]) -> dict[str, Any]:
    w = WHO[key]
    since = iso(START - timedelta(days=w.since)) if isinstance(w.since, int) else w.since
    return {
        "id": ids[key],
        "handle": w.handle,
        "name": w.name,
        "created_at": since,
        "followers": w.followers,
        "verified": w.verified,
        **({"bio": w.bio} if w.bio else {}),
    }


class Builder:
    """Numbers posts per platform, stamps times and builds each platform's URL."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids = {key: author_id(w.platform, rng) for key, w in WHO.items()}
        self.counter = {p: base for p, (_, base) in ID_PREFIX.items()}
        self.now = START
        self.guild = str(rng.randint(10**17, 10**18 - 1))
        self.rooms: dict[str, str] = {}

    def room(self, name: str) -> str:
        """A stable snowflake per discord channel or DM channel."""
        return self.rooms.setdefault(name, str(self.rng.randint(10**17, 10**18 - 1)))

    def url(self, t: Thread, msg: Msg, n: int, root: int) -> str:
        handle = WHO[msg.who].handle
        if t.platform == "twitter":
            if t.channel == "dm":
                a, b = sorted([self.ids[t.msgs[0].who], self.ids[t.where]], key=int)
                return f"https://x.com/messages/{a}-{b}"
            return f"https://x.com/{handle}/status/{n}"
        if t.platform == "telegram":
            if t.channel == "dm":
                return f"tg://openmessage?user_id={self.ids[t.msgs[0].who]}&message_id={n}"
            return f"https://t.me/{t.where}/{n}"
        if t.platform == "discord":
            if t.channel == "dm":
                return f"https://discord.com/channels/@me/{self.room('dm-' + t.msgs[0].who)}/{n}"
            return f"https://discord.com/channels/{self.guild}/{self.room(t.where)}/{n}"
        if t.channel == "dm":
            return f"https://www.reddit.com/message/messages/{b36(n * 7919)}"
        base = f"https://www.reddit.com/r/OKX/comments/{b36(root * 104729)}/{t.where}/"
        return base if n == root else f"{base}{b36(n * 1_299_709)}/"

    def tick(self, first: bool, dm: bool) -> str:
        """Gaps: a new thread starts tens of minutes later, replies come within minutes."""
        gap = self.rng.randint(20, 55) if first else self.rng.randint(2, 35 if dm else 14)
        self.now += timedelta(minutes=gap, seconds=self.rng.randint(0, 59))
        return iso(self.now)

    def thread(self, t: Thread) -> list[dict[str, Any]]:
        prefix, _ = ID_PREFIX[t.platform]
        numbers: list[int] = []
        out: list[dict[str, Any]] = []
        for i, msg in enumerate(t.msgs):
            assert WHO[msg.who].platform == t.platform, (msg.who, t.platform)
            self.counter[t.platform] += 1
            n = self.counter[t.platform]
            numbers.append(n)
            out.append(
                {
                    "id": f"{prefix}-{n}",
                    "platform": t.platform,
                    "channel": t.channel,
                    "text": msg.text,
                    "created_at": self.tick(i == 0, t.channel == "dm"),
                    "url": self.url(t, msg, n, numbers[0]),
                    "reply_to": None if msg.to is None else f"{prefix}-{numbers[msg.to]}",
                    "author": author_json(msg.who, self.ids),
                    **({"staff": [author_json(k, self.ids) for k in t.staff]} if t.staff else {}),
                    "expected": [
                        dict(zip(("kind", "label"), e.split(":"), strict=True))
                        for e in msg.expected
                    ],
                }
            )
        return out


def build() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    secrets = make_secrets(rng)
    builder = Builder(rng)
    return [post for t in threads(secrets) for post in builder.thread(t)]


# --- checks --------------------------------------------------------------------------------

REQUIRED = (
    "id",
    "platform",
    "channel",
    "text",
    "created_at",
    "url",
    "reply_to",
    "author",
    "expected",
)
CHANNELS = {
    "twitter": {"public", "dm"},
    "reddit": {"public", "dm"},
    "telegram": {"group", "dm"},
    "discord": {"group", "dm"},
}
LABELS = {
    "support_request": {"withdrawal", "deposit", "login", "kyc", "trading", "api", "other"},
    "impersonation": {
        "lookalike_handle",
        "lookalike_mention",
        "fake_support_reply",
        "phishing_link",
        "credential_request",
        "offplatform_contact",
        "staff_lookalike",
    },
    "secret_leak": {"seed_phrase", "private_key", "api_key", "token", "password"},
}


def validate(lines: list[str]) -> list[dict[str, Any]]:
    """Parse the written file back and fail loudly on anything a replay would trip over."""
    posts = [json.loads(line) for line in lines]
    seen: set[tuple[str, str]] = set()
    last = ""
    for p in posts:
        missing = [k for k in REQUIRED if k not in p]
        assert not missing, (p.get("id"), missing)
        assert p["channel"] in CHANNELS[p["platform"]], p["id"]
        assert (p["platform"], p["id"]) not in seen, p["id"]
        assert p["reply_to"] is None or (p["platform"], p["reply_to"]) in seen, p["id"]
        assert p["created_at"] > last, p["id"]
        assert all(e["label"] in LABELS[e["kind"]] for e in p["expected"]), p["id"]
        seen.add((p["platform"], p["id"]))
        last = p["created_at"]
    return posts


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def summary(posts: list[dict[str, Any]]) -> str:
    count: dict[str, int] = {}
    for p in posts:
        keys = [p["platform"], "zh" if is_chinese(p["text"]) else "en"]
        keys += [f"{e['kind']}:{e['label']}" for e in p["expected"]] or ["(none)"]
        for k in keys:
            count[k] = count.get(k, 0) + 1
    span = f"{posts[0]['created_at']} .. {posts[-1]['created_at']}"
    return f"{len(posts)} posts, {span}\n" + "\n".join(
        f"  {k}: {v}" for k, v in sorted(count.items())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", type=Path, default=DEMO / "stream.jsonl")
    args = parser.parse_args(argv)
    lines = [json.dumps(p, ensure_ascii=False) for p in build()]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.output}\n{summary(validate(lines))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
