"""Converters for other secret scanners' test cases (detect-secrets, gitleaks), posted verbatim."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from monitor.evalsets.common import Post, post, read_csv, secret
from monitor.evalsets.secrets import PLATFORM

# detect-secrets plugin → our secret type. Keyword lines are split by what the keyword names.
_YELP_LABELS = {
    "aws_key": "api_key",
    "azure_storage_key": "api_key",
    "ibm_cloud_iam": "api_key",
    "ibm_cos_hmac": "api_key",
    "softlayer": "api_key",
    "cloudant": "api_key",
    "mailchimp_key": "api_key",
    "sendgrid": "api_key",
    "stripe_key": "api_key",
    "twilio": "api_key",
    "openai": "api_key",
    "artifactory": "api_key",
    "square_oauth": "api_key",
    "telegram_token": "token",
    "discord": "token",
    "slack": "token",
    "github_token": "token",
    "gitlab_token": "token",
    "npm": "token",
    "pypi_token": "token",
    "jwt": "token",
    "basic_auth": "password",
    "private_key": "private_key",
}


def yelp_label(detector: str, text: str, is_secret: bool) -> str | None:
    """Our label for a detect-secrets case; a public IP is not a credential: never a leak."""
    if not is_secret or detector == "ip_public":
        return None
    if detector == "keyword":
        low = text.lower()
        return "password" if "pass" in low else "token" if "token" in low else "api_key"
    return _YELP_LABELS[detector]


def detect_secrets_cases(root: Path) -> Iterator[Post]:
    """detect-secrets plugin test lines (should_flag → leak), code-style, posted as written."""
    path = root / "secrets_detect_secrets_yelp/detect_secrets_plugin_cases.csv"
    for i, r in enumerate(read_csv(path)):
        label = yelp_label(r["detector"], r["text"], r["is_secret"] == "1")
        yield post(
            "detect_secrets_cases", i, r["text"], secret(label), PLATFORM, group=r["detector"]
        )


def gitleaks_label(func: str) -> str:
    """Our label for a gitleaks rule, from the words in its rule name."""
    if "PrivateKey" in func:
        return "private_key"
    if "BasicAuth" in func or "SensitiveUrl" in func:
        return "password"
    if "Token" in func or func in ("JWT", "CurlHeaderAuth"):
        return "token"
    return "api_key"


def gitleaks_cases(root: Path) -> Iterator[Post]:
    """gitleaks rule true positives (leaks) and false positives ([]), posted as written."""
    for i, r in enumerate(read_csv(root / "secrets_gitleaks_rules/gitleaks_rule_tps_fps.csv")):
        is_tp = r["kind"] == "tps"
        label = gitleaks_label(r["func"]) if is_tp else None
        yield post("gitleaks_cases", i, r["text"], secret(label), PLATFORM, group=r["kind"])
