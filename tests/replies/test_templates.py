"""Templates: every text in every language passes the guard; lookup falls
back by language, then topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.config import Settings
from monitor.core.models import SECRET_TYPES, SUPPORT_TOPICS
from monitor.replies.guard import LENGTH_LIMITS, Guard
from monitor.replies.lang import reply_language
from monitor.replies.templates import LANGUAGES, TemplateError, Templates

IMPERSONATION_LABELS = (
    "lookalike_handle",
    "lookalike_mention",
    "staff_lookalike",
    "fake_support_reply",
    "phishing_link",
    "credential_request",
    "offplatform_contact",
    "scam_lure",
)
# The longest handles the platforms allow (X 15, Telegram 32), so
# the X limit holds for any impostor.
FIELDS = {
    "impostor": "OKX_Support_Desk_Help_Center_0123"[:32],
    "official_accounts": "@okx, @OKXHelpDesk",
}


@pytest.fixture
def templates(settings: Settings) -> Templates:
    return Templates.load(settings.brand)


def test_every_template_passes_the_guard_on_every_platform(
    templates: Templates, settings: Settings
) -> None:
    guard = Guard(settings.brand)
    walked = 0
    for kind, lang, visibility, topic in templates.entries():
        text = templates.render(kind, lang, visibility, topic, **FIELDS)
        for platform in LENGTH_LIMITS:
            assert guard.check(text, platform, "dm" if visibility == "dm" else "reply") is None, (
                kind,
                lang,
                topic,
            )
        walked += 1
    assert walked >= 3 * 2 * 7  # three languages, public and dm support replies at least


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_topic_policy_can_ask_for_has_its_own_text(templates: Templates, lang: str) -> None:
    for topic in SUPPORT_TOPICS[:-1]:  # 'other' is answered by 'default'
        for visibility in ("public", "dm"):
            assert templates.find("support_request", lang, visibility, topic) == (
                "support_request",
                lang,
                visibility,
                topic,
            )
    for secret in SECRET_TYPES:
        assert templates.find("secret_leak", lang, "dm", secret)[1:] == (lang, "dm", secret)
    for label in IMPERSONATION_LABELS:
        assert templates.find("impersonation", lang, "public", label)[1] == lang
    assert {templates.find("secret_leak", lang, "public", t)[3] for t in ("removed", "kept")} == {
        "removed",
        "kept",
    }


def test_support_texts_carry_the_channels_and_hints(
    templates: Templates, settings: Settings
) -> None:
    public = templates.render("support_request", "en", "public", "withdrawal")
    assert "UID and TxID ready" in public and "share them only in the official chat" in public
    assert settings.brand.live_chat_url in public and settings.brand.ticket_url in public
    dm = templates.render("support_request", "en", "dm", "withdrawal")
    assert "Safety reminder" in dm and "screenshot" in dm and settings.brand.ticket_url in dm
    assert "UID" in templates.render("support_request", "zh", "public", "withdrawal")
    assert "帳" in templates.render("support_request", "zh_hant", "public", "deposit")


def test_lookup_falls_back_by_language_then_topic(templates: Templates) -> None:
    assert templates.find("support_request", "ja", "public", "kyc")[1] == "en"
    assert templates.find("support_request", "zh", "public", "other")[3] == "default"
    assert templates.find("impersonation", "zh_hant", "public", "no_such_signal")[1:] == (
        "zh_hant",
        "public",
        "default",
    )
    with pytest.raises(TemplateError, match="no template impersonation/en/dm"):
        templates.find("impersonation", "en", "dm", "default")


def test_bad_template_files_are_named(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "support_request").mkdir()
    bad = tmp_path / "support_request" / "en.toml"
    bad.write_text("[public\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="en.toml: not valid TOML"):
        Templates.load(settings.brand, tmp_path)
    bad.write_text("[public]\nwithdrawal = 3\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="'public.withdrawal' must be a string"):
        Templates.load(settings.brand, tmp_path)
    bad.rename(tmp_path / "support_request" / "fr.toml")
    with pytest.raises(TemplateError, match="unknown language 'fr'"):
        Templates.load(settings.brand, tmp_path)


def test_unknown_placeholder_names_the_template(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "support_request").mkdir()
    (tmp_path / "support_request" / "en.toml").write_text(
        '[public]\ndefault = "hi {nobody}"\n', encoding="utf-8"
    )
    with pytest.raises(TemplateError, match="support_request/en/public/default: bad placeholder"):
        Templates.load(settings.brand, tmp_path).render("support_request", "en", "public")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("my withdrawal is stuck", "en"),
        ("我的提币三天了还没到账", "zh"),
        ("我的提幣三天了還沒到帳，請幫忙", "zh_hant"),
        ("出金が反映されません", "en"),  # Japanese: answered in English
    ],
)
def test_reply_language(text: str, lang: str) -> None:
    assert reply_language(text) == lang
