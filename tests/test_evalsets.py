"""Tests for monitor.evalsets: each converter over a tiny made-up eval dir
with the real files' layout."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from monitor.cli.evaluate import parse_expected
from monitor.core.postjson import parse_post
from monitor.evalsets import SETS, convert, list_sets, run_convert
from monitor.evalsets.scanners import gitleaks_label, yelp_label

# Made-up rows in the column layout of each upstream file.
FILES = {
    "bip39_trezor_python_mnemonic/mnemonic_edge_cases.csv": (
        "text,case,bip39_checksum_valid,source\n"
        "lamp lamp lamp lamp lamp lamp lamp lamp lamp lamp lamp zebra,valid_12 (made up),1,here\n"
        "this is only a sentence,not_a_mnemonic,0,here\n"
    ),
    "bitcoin_bips_key_vectors/bip_key_and_address_vectors.csv": (
        "bip,line,kind,value,is_secret,context\n"
        "bip-0032,1,extended_private_key,xprvFAKEFAKE,1,ctx\n"
        "bip-0032,2,extended_public_key,xpubFAKEFAKE,0,ctx\n"
    ),
    "bitcoin_wif_signmessage_python_bitcoinlib/wif_address_signature_labeled.csv": (
        "idx,kind,value,is_secret\n0,wif_private_key,KfakeWIF,1\n0,p2pkh_address,1FakeAddr,0\n"
        "0,base64_message_signature,SGVsbG8=,0\n"
    ),
    "secrets_okx_js_wallet_sdk_test_vectors/okx_wallet_sdk_test_strings.csv": (
        "package,file,line,var,kind,value,is_secret,bip39_checksum_valid\n"
        "coin-x,t.ts,1,privateKey,private_key,0xfeedfeed,1,\n"
        "coin-x,t.ts,2,txId,hash_sig_or_tx,0xbeefbeef,0,\n"
    ),
    "secrets_exchange_api_docs/binance_docs_key_examples.csv": (
        "source_file,line,kind,value,is_secret,context\n"
        "a.md,1,exchange_api_key,FAKEKEY123,1,`apiKey` | FAKEKEY123\n"
        "a.md,2,pem_private_key_header,BEGIN PRIVATE KEY,1,-----BEGIN PRIVATE KEY-----\n"
        "a.md,3,hmac_sha256_request_signature,abcdef01,0,sig\n"
    ),
    "secrets_exchange_api_docs/okx_docs_key_examples.csv": (
        "source,kind,value,is_secret,context\n"
        "docs,okx_api_key_MASKED,1234-****-5678,0,masked\n"
        "same,okx_api_secret_example,FAKESECRET,1,example\n"
    ),
    "secrets_detect_secrets_yelp/detect_secrets_plugin_cases.csv": (
        "detector,test,text,is_secret,note\n"
        'keyword,t,password = "made up",1,\nip_public,t,203.0.113.9,1,\ngithub_token,t,foo,0,\n'
    ),
    "secrets_gitleaks_rules/gitleaks_rule_tps_fps.csv": (
        "rule_file,func,kind,is_secret,text\n"
        'x.go,SlackBotToken,tps,1,"line one\nline two"\n'
        "generic.go,GenericCredential,fps,0,version = 1.2.3\n"
    ),
    "support_banking77/test.csv": (
        "text,category\nwhere did my cash go,pending_cash_withdrawal\ncard colours?,card_colour\n"
    ),
    "support_banking77/banking77_to_monitor_mapping_SUGGESTED.csv": (
        "banking77_category,suggested_monitor_label,note\n"
        "pending_cash_withdrawal,support/withdrawal_not_arrived,n\n"
    ),
    "support_clinc150/clinc150_test_plus_oos_test.csv": (
        "text,intent,domain,split\nunlock my account please,account_blocked,banking,test\n"
        "what is my balance,balance,banking,test\nwhat is my apr,apr,credit_cards,test\n"
        "sing me a song,oos,oos,oos_test\n"
    ),
    "support_twcs_sample/twcs_sample.csv": (
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "1,555,True,Wed,@Shop my parcel is late,2,\n2,ShopHelp,False,Wed,@555 Please DM us,,1\n"
    ),
    "support_zh_afqmc/afqmc_dev_unique_questions.csv": (
        "text,lang,monitor_label_hint\n额度怎么提高,zh,hint\n"
    ),
    "scam_x_posts_janitr_internetcondom/janitr_sample_labeled.csv": (
        "id,text,labels,is_scam,platform,source_url,source,collected_at,upstream_notes\n"
        "1,claim your airdrop now,scam,1,x,https://x.com/someone/status/1,,,\n"
        "2,nice chart,clean,0,,,,,\n3,,clean,0,,,,,\n"
    ),
    "spam_tg_spam_umputun/tg_spam_ham_samples.csv": (
        "text,label,lang,source_path\nearn 500 a day DM me,spam,en,s\nпривет всем,ham,ru,h\n"
        "hi all,ham,en,h\n"
    ),
    "scam_zh_telecom_fraud_texts5_SEMISYNTHETIC/telecom_fraud_zh_customer_service_vs_normal.csv": (
        "text,label,monitor_label,provenance\n我是客服请转账,impersonating_customer_service,s,p\n"
        "明天开会,normal,n,p\n"
    ),
    "negatives_tweeteval/tweeteval_test_sample.csv": (
        "text,task,task_label,monitor_label\nwhat a game tonight,sentiment,positive,none\n"
    ),
    "negatives_zh_weibo_senti_subset/weibo_senti_subset.csv": (
        "text,sentiment_label,monitor_label\n今天真好,1,none\n"
    ),
}
VECTORS = {
    "english": [["00", "lamp lamp lamp zebra", "aa" * 64, "xprvFAKE"]],
    "chinese_simplified": [["00", "的 的 的 在", "bb" * 64, "xprvFAKE2"]],
}


@pytest.fixture
def eval_dir(tmp_path: Path) -> Path:
    """A made-up eval dir holding every file the converters read."""
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "bip39_trezor_python_mnemonic/vectors.json").write_text(
        json.dumps(VECTORS), "utf-8"
    )
    return tmp_path


def by_id(name: str, eval_dir: Path) -> dict[str, dict[str, object]]:
    """A set's posts keyed by id."""
    return {str(p["id"]): p for p in convert(name, eval_dir)}


def labels(post: dict[str, object]) -> list[tuple[str, str | None]]:
    """The (kind, label) pairs a post expects."""
    return [(e["kind"], e["label"]) for e in post["expected"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(SETS))
def test_every_set_gives_valid_posts_with_unique_stable_ids(name: str, eval_dir: Path) -> None:
    posts = list(convert(name, eval_dir))
    assert posts
    for obj in posts:
        parse_post(obj)
        parse_expected(obj)
        assert obj["channel"] == "public" and str(obj["id"]).startswith(name + "-")
    assert len({p["id"] for p in posts}) == len(posts)
    assert posts == list(convert(name, eval_dir))


def test_bip39_vectors_formats_and_wrapped_keys(eval_dir: Path) -> None:
    posts = by_id("bip39_vectors", eval_dir)
    assert (
        posts["bip39_vectors-english-0-numbered"]["text"] == "1. lamp\n2. lamp\n3. lamp\n4. zebra"
    )
    assert posts["bip39_vectors-english-0-comma"]["text"] == "lamp, lamp, lamp, zebra"
    assert posts["bip39_vectors-chinese_simplified-0-nospace"]["text"] == "的的的在"
    assert "bip39_vectors-english-0-nospace" not in posts
    assert "的 的 的 在" in str(posts["bip39_vectors-chinese_simplified-0-sentence"]["text"])
    assert posts["bip39_vectors-english-0-xprv"]["text"] == "my private key is xprvFAKE"
    assert labels(posts["bip39_vectors-english-0-xprv"]) == [("secret_leak", "private_key")]
    assert "bip39_vectors-chinese_simplified-0-xprv" not in posts


def test_key_sets_wrap_bare_values_and_keep_negatives_empty(eval_dir: Path) -> None:
    bip = by_id("bip_key_vectors", eval_dir)
    assert (bip["bip_key_vectors-0"]["text"], labels(bip["bip_key_vectors-0"])) == (
        "my private key is xprvFAKEFAKE",
        [("secret_leak", "private_key")],
    )
    assert (bip["bip_key_vectors-1"]["text"], labels(bip["bip_key_vectors-1"])) == (
        "my xpub xpubFAKEFAKE",
        [],
    )
    wif = by_id("wif_signmessage", eval_dir)
    assert wif["wif_signmessage-2"]["text"] == "signature: SGVsbG8="
    binance = by_id("binance_docs_keys", eval_dir)
    assert labels(binance["binance_docs_keys-0"]) == [("secret_leak", "api_key")]
    assert binance["binance_docs_keys-1"]["text"] == "-----BEGIN PRIVATE KEY-----"
    assert labels(by_id("okx_docs_keys", eval_dir)["okx_docs_keys-0"]) == []


def test_mnemonic_edge_cases_only_the_sentence_is_negative(eval_dir: Path) -> None:
    posts = by_id("mnemonic_edge_cases", eval_dir)
    assert labels(posts["mnemonic_edge_cases-0"]) == [("secret_leak", "seed_phrase")]
    assert labels(posts["mnemonic_edge_cases-1"]) == []


def test_scanner_labels() -> None:
    assert yelp_label("keyword", 'db_password = "x"', True) == "password"
    assert yelp_label("keyword", "api_key = 'x'", True) == "api_key"
    assert yelp_label("ip_public", "203.0.113.9", True) is None
    assert yelp_label("github_token", "foo", False) is None
    assert yelp_label("telegram_token", "1:AA", True) == "token"
    assert [
        gitleaks_label(f) for f in ("PrivateKey", "CurlBasicAuth", "SlackBotToken", "GCPAPIKey")
    ] == ["private_key", "password", "token", "api_key"]


def test_support_sets_map_topics(eval_dir: Path) -> None:
    bank = by_id("banking77", eval_dir)
    assert labels(bank["banking77-0"]) == [("support_request", "withdrawal")]
    assert labels(bank["banking77-1"]) == [("support_request", "other")]  # not in the mapping file
    clinc = by_id("clinc150", eval_dir)
    assert [labels(clinc[f"clinc150-{i}"]) for i in range(4)] == [
        [("support_request", "login")],
        [("support_request", "other")],
        [],
        [],
    ]
    assert labels(by_id("afqmc", eval_dir)["afqmc-0"]) == [("support_request", None)]


def test_twcs_splits_customers_from_agents(eval_dir: Path) -> None:
    inbound = by_id("twcs_inbound", eval_dir)
    agents = by_id("twcs_agents", eval_dir)
    assert list(inbound) == ["twcs_inbound-0"] and labels(inbound["twcs_inbound-0"]) == [
        ("support_request", None)
    ]
    agent = agents["twcs_agents-1"]
    assert labels(agent) == [] and agent["author"] == {"handle": "ShopHelp"}


def test_social_sets(eval_dir: Path) -> None:
    janitr = by_id("janitr", eval_dir)
    assert list(janitr) == ["janitr-0", "janitr-1"]  # the empty-text row is left out
    assert janitr["janitr-0"]["author"] == {"handle": "someone"}
    assert (
        labels(janitr["janitr-0"]) == [("impersonation", None)] and labels(janitr["janitr-1"]) == []
    )
    tg = by_id("tg_spam_en", eval_dir)
    assert (
        list(tg) == ["tg_spam_en-0", "tg_spam_en-2"]
        and tg["tg_spam_en-0"]["platform"] == "telegram"
    )
    fraud = by_id("telecom_fraud_zh_semisynthetic", eval_dir)
    assert labels(fraud["telecom_fraud_zh_semisynthetic-0"]) == [("impersonation", None)]


def test_run_convert_writes_json_lines(eval_dir: Path) -> None:
    out = io.StringIO()
    assert run_convert("weibo", eval_dir, out) == 0
    assert [json.loads(x)["text"] for x in out.getvalue().splitlines()] == ["今天真好"]


def test_run_convert_errors(
    tmp_path: Path, eval_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_convert("nope", eval_dir, io.StringIO()) == 2
    assert run_convert("weibo", tmp_path / "missing", io.StringIO()) == 2
    assert "file not found" in capsys.readouterr().err
    bad = eval_dir / "bitcoin_bips_key_vectors/bip_key_and_address_vectors.csv"
    bad.write_text("bip,line,kind,value,is_secret,context\nb,1,address,1Fake,1,ctx\n", "utf-8")
    assert run_convert("bip_key_vectors", eval_dir, io.StringIO()) == 2


def test_list_sets_one_line_each() -> None:
    out = io.StringIO()
    list_sets(out)
    lines = out.getvalue().splitlines()
    assert [x.split()[0] for x in lines] == list(SETS)
    assert "wrapped" in lines[list(SETS).index("wif_signmessage")]
    assert "SEMI-SYNTHETIC" in lines[list(SETS).index("telecom_fraud_zh_semisynthetic")]
