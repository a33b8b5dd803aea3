"""Settings from monitor.toml (tomllib): a checked schema, clear one-line
errors, secrets only from env."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.core.enforce import Enforce
from monitor.core.enforce import parse as parse_enforce
from monitor.core.models import ACTION_KINDS, ENFORCEMENT, FINDING_KINDS, PLATFORMS, Brand
from monitor.resources import data_path

DEFAULT_CONFIG = data_path("monitor.example.toml")

# Each section's keys and their expected types. A nested dict is a sub-table.
_STR_LIST = (list, str)  # a (list, T) entry means a list whose items are all T
SCHEMA: dict[str, Any] = {
    "brand": {
        "name": str,
        "aliases": _STR_LIST,
        "domains": _STR_LIST,
        "live_chat_url": str,
        "ticket_url": str,
        "help_center_url": str,
        "support_email": str,
        "accounts": {p: _STR_LIST for p in PLATFORMS},
        "trusted": {p: _STR_LIST for p in PLATFORMS},
    },
    "monitor": {
        "db": str,
        "log_level": str,
        "salt_env": str,
        "phishing_list": str,
        "allow_list": str,
        "log_format": str,
        "metrics_port": int,
        "metrics_host": str,
    },
    "thresholds": {k: float for k in FINDING_KINDS},
    # A finding kind's mode, or an enforcement kind's (restrict = "review" holds every restriction).
    "modes": {k: str for k in FINDING_KINDS + ENFORCEMENT},
    "support": {"model_dir": str, "encoder_path": str, "use_encoder": bool},
    # `monitor serve`; the token from env; a signed-in person's session lasts session_hours
    "serve": {"token_env": str, "host": str, "port": int, "session_hours": float},
    "limits": {"user_cooldown": float, "thread_cooldown": float, "platform_per_hour": int},
    "policy": {k: _STR_LIST for k in FINDING_KINDS},
    "enforce": {"restrict_minutes": int, **{p: _STR_LIST for p in PLATFORMS}},
    # Campaign memory (monitor.classify.memory): how long and how many remembered texts, how alike
    # a copy is, how often the daemon reads new review decisions.
    "memory": {
        "enabled": bool,
        "days": float,
        "max_texts": int,
        "threshold": float,
        "refresh_seconds": float,
    },
    # Waves (monitor.classify.memory.waves): how many accounts, within how many minutes, how many
    # of them new to the place (first seen within new_days, or fewer than first_messages there).
    "waves": {
        "enabled": bool,
        "accounts": int,
        "minutes": float,
        "new_share": float,
        "new_days": float,
        "max_posts": int,
    },
    # A member's first messages in a place: their impersonation findings weighed more strictly.
    "newcomers": {"first_messages": int, "factor": float},
}
# One table per platform connector; credentials are named by *_env keys, never given here.
PLATFORM_SCHEMA: dict[str, Any] = {
    "telegram": {
        "enabled": bool,
        "base_url": str,
        "token_env": str,
        "poll_timeout": float,
        "admin_chat_id": int,
        "admins": (list, int),
    },
    "discord": {
        "enabled": bool,
        "api_base": str,
        "gateway_url": str,
        "token_env": str,
        "message_content": bool,
        "members": bool,
        "channels": (list, int),
        "commands": bool,
        "command_guilds": (list, int),
    },
    "twitter": {
        "enabled": bool,
        "api_base": str,
        "consumer_key_env": str,
        "consumer_secret_env": str,
        "access_token_env": str,
        "access_token_secret_env": str,
        "poll_interval": float,
        "dms": bool,
        "tier": str,
        "backfill_hours": float,
        "usage_cap_pause": float,
    },
    "reddit": {
        "enabled": bool,
        "base_url": str,
        "client_id_env": str,
        "client_secret_env": str,
        "username_env": str,
        "password_env": str,
        "user_agent": str,
        "subreddits": (list, str),
        "poll_interval": float,
        "backfill": int,
        "backfill_hours": float,
        "ratelimit_seconds": int,
        "max_retry_wait": float,
        "bad_subreddit_retry": float,
        "profile_reserve": int,
    },
}
SCHEMA.update(PLATFORM_SCHEMA)
# Alerts and the daily digest beyond the managers' Telegram chat (runtime.alerting); every channel
# is off until its table says enabled = true.
ALERT_CHANNELS = ("telegram", "slack", "webhook", "email")
ROUTE_KINDS = (*FINDING_KINDS, "default")
SCHEMA["alerts"] = {
    "slack": {"enabled": bool, "token_env": str, "channel": str, "base_url": str},
    "webhook": {"enabled": bool, "url": str, "secret_env": str, "attempts": int,
                "backoff": float, "timeout": float},
    "email": {"enabled": bool, "host": str, "port": int, "from": str, "to": _STR_LIST,
              "username_env": str, "password_env": str, "starttls": bool, "tls": bool,
              "timeout": float},
    "routes": {k: _STR_LIST for k in ROUTE_KINDS},
    "digest": {"enabled": bool, "at": str, "channels": _STR_LIST},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "brand": ("name", "domains", "live_chat_url", "ticket_url"),
}
MODES = ("dry_run", "review", "auto")
DEFAULT_THRESHOLDS = {"support_request": 0.5, "impersonation": 0.5, "secret_leak": 0.5}
DEFAULT_MODES = {"support_request": "auto", "impersonation": "review", "secret_leak": "auto"}
# Seconds between two replies/DMs to one user or into one thread; replies+DMs per platform per hour.
DEFAULT_LIMITS: dict[str, float] = {
    "user_cooldown": 300.0,
    "thread_cooldown": 60.0,
    "platform_per_hour": 60,
}
# Which planned actions each finding kind may take; an action not listed is recorded as skipped.
DEFAULT_POLICY: dict[str, tuple[str, ...]] = {
    "support_request": ("reply", "dm"),
    "impersonation": ("reply", "alert", "report"),
    "secret_leak": ("delete", "dm", "reply", "alert"),
}


# A member's first 3 messages in a place: the impersonation threshold times 0.6 (0.5 -> 0.3).
DEFAULT_NEWCOMERS: dict[str, Any] = {"first_messages": 3, "factor": 0.6}


class ConfigError(ValueError):
    """A config problem, worded as one line that names the file and the key."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything read from monitor.toml."""

    brand: Brand
    path: Path
    db: str = "monitor.db"
    log_level: str = "INFO"
    salt_env: str = "MONITOR_SALT"
    phishing_list: Path | None = None  # the operator's phishing domains, one a line
    allow_list: Path | None = None  # look-alike hosts the operator checked and found legitimate
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    modes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_MODES))
    platforms: dict[str, dict[str, Any]] = field(default_factory=dict)  # validated [telegram] etc.
    support: dict[str, Any] = field(default_factory=dict)  # [support]: model paths (resolved)
    serve: dict[str, Any] = field(default_factory=dict)  # validated [serve]: token_env, host, port
    limits: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    policy: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_POLICY))
    # [enforce] with the policy's impersonation list
    enforce: Enforce = field(default_factory=Enforce)
    log_format: str = "json"  # `monitor run` logs: one JSON object a line, or "text"
    metrics_port: int = 0  # /healthz and /metrics; 0 turns the endpoint off
    metrics_host: str = "127.0.0.1"
    memory: dict[str, Any] = field(default_factory=dict)  # validated [memory]
    alerts: dict[str, Any] = field(default_factory=dict)  # validated [alerts] (alert_checks)
    waves: dict[str, Any] = field(default_factory=dict)  # validated [waves]
    # validated [newcomers] over its defaults: first_messages, factor
    newcomers: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_NEWCOMERS))


def is_bundled(settings: Settings) -> bool:
    """True for the bundled example config, whose list files are examples and never changed."""
    return Path(settings.path).resolve() == DEFAULT_CONFIG


def own_list(settings: Settings, key: str) -> Path:
    """The phishing_list or allow_list a command may change: configured, and not the
    bundled example's, which the demo and the tests read (and which an installed package
    would hold in site-packages)."""
    path: Path | None = getattr(settings, key)
    if path is None:
        raise ConfigError(f"{settings.path}: set [monitor] {key} to the list's path first")
    if is_bundled(settings):
        raise ConfigError(
            f"the bundled example config's {key} is not yours to change: "
            "pass --config with your own monitor.toml"
        )
    return path


def load(path: str | Path | None = None) -> Settings:
    """Read and validate a config file; the bundled example when no path is given."""
    cfg_path = Path(path) if path else DEFAULT_CONFIG
    try:
        data = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{cfg_path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{cfg_path}: not valid TOML: {exc}") from None
    _check_table(cfg_path, data, SCHEMA, "")
    _check_required(cfg_path, data)
    return _build(cfg_path, data)


def _check_table(path: Path, table: dict[str, Any], schema: dict[str, Any], prefix: str) -> None:
    """Reject unknown keys and wrong types, naming the dotted key."""
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if key not in schema:
            raise ConfigError(f"{path}: unknown key '{dotted}'")
        _check_value(path, dotted, value, schema[key])


def _check_value(path: Path, dotted: str, value: Any, expected: Any) -> None:
    """Check one value against its schema entry."""
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: '{dotted}' must be a table")
        _check_table(path, value, expected, f"{dotted}.")
    elif isinstance(expected, tuple):
        item = expected[1]
        if not isinstance(value, list) or not all(_is(v, item) for v in value):
            raise ConfigError(f"{path}: '{dotted}' must be a list of {_NAMES[item]}s")
    elif not _is(value, expected):
        raise ConfigError(f"{path}: '{dotted}' must be a {_NAMES[expected]}")


_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _is(value: Any, expected: type) -> bool:
    """isinstance, except that booleans are not numbers and integers are numbers."""
    if expected in (int, float) and isinstance(value, bool):
        return False
    return isinstance(value, (int, float) if expected is float else expected)


def _check_required(path: Path, data: dict[str, Any]) -> None:
    """Every required section and key is present and non-empty."""
    for section, keys in REQUIRED.items():
        if section not in data:
            raise ConfigError(f"{path}: missing section [{section}]")
        for key in keys:
            if not data[section].get(key):
                raise ConfigError(f"{path}: missing key '{section}.{key}'")


def _build(path: Path, data: dict[str, Any]) -> Settings:
    """Turn validated TOML data into Settings."""
    b = data["brand"]
    brand = Brand(
        name=b["name"],
        domains=tuple(d.lower() for d in b["domains"]),
        live_chat_url=b["live_chat_url"],
        ticket_url=b["ticket_url"],
        aliases=tuple(b.get("aliases", ())),
        help_center_url=b.get("help_center_url", ""),
        support_email=b.get("support_email", ""),
        accounts={p: tuple(h) for p, h in b.get("accounts", {}).items()},
        trusted={p: tuple(h) for p, h in b.get("trusted", {}).items()},
    )
    mon = data.get("monitor", {})
    modes = {**DEFAULT_MODES, **data.get("modes", {})}
    for kind, mode in modes.items():
        if mode not in MODES:
            raise ConfigError(f"{path}: 'modes.{kind}' must be one of {', '.join(MODES)}")
    thresholds = {**DEFAULT_THRESHOLDS, **data.get("thresholds", {})}
    for kind, value in thresholds.items():
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"{path}: 'thresholds.{kind}' must be between 0 and 1")
    return Settings(
        brand=brand,
        path=path,
        db=mon.get("db", "monitor.db"),
        log_level=mon.get("log_level", "INFO"),
        salt_env=mon.get("salt_env", "MONITOR_SALT"),
        phishing_list=_relative_to(path, mon.get("phishing_list")),
        allow_list=_relative_to(path, mon.get("allow_list")),
        thresholds=thresholds,
        modes=modes,
        platforms={p: data[p] for p in PLATFORM_SCHEMA if p in data},
        support=_support(path, data.get("support", {})),
        serve=data.get("serve", {}),
        limits=_limits(path, data),
        policy=(policy := _policy(path, data)),
        enforce=_enforce(path, data, policy),
        memory=_memory(path, data.get("memory", {})),
        alerts=_alerts(path, data.get("alerts", {})),
        waves=_waves(path, data.get("waves", {})),
        newcomers=_newcomers(path, data.get("newcomers", {})),
        **_ops(path, mon),
    )


def _ops(path: Path, mon: dict[str, Any]) -> dict[str, Any]:
    """The log format and the health/metrics endpoint from [monitor], checked."""
    log_format = mon.get("log_format", "json")
    if log_format not in ("json", "text"):
        raise ConfigError(f"{path}: 'monitor.log_format' must be json or text")
    port = mon.get("metrics_port", 0)
    if not 0 <= port <= 65535:
        raise ConfigError(f"{path}: 'monitor.metrics_port' must be between 0 and 65535")
    return {
        "log_format": log_format,
        "metrics_port": port,
        "metrics_host": mon.get("metrics_host", "127.0.0.1"),
    }


def _limits(path: Path, data: dict[str, Any]) -> dict[str, float]:
    """The [limits] table over its defaults; no value may be negative."""
    limits = {**DEFAULT_LIMITS, **data.get("limits", {})}
    for key, value in limits.items():
        if value < 0:
            raise ConfigError(f"{path}: 'limits.{key}' must not be negative")
    return limits


def _policy(path: Path, data: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The [policy] table over its defaults; every entry must be an action kind."""
    policy = {**DEFAULT_POLICY, **{k: tuple(v) for k, v in data.get("policy", {}).items()}}
    for kind, actions in policy.items():
        if unknown := [a for a in actions if a not in ACTION_KINDS]:
            raise ConfigError(
                f"{path}: 'policy.{kind}' has unknown action '{unknown[0]}' "
                f"(use {', '.join(ACTION_KINDS)})"
            )
    return policy


def _enforce(path: Path, data: dict[str, Any], policy: dict[str, tuple[str, ...]]) -> Enforce:
    """The [enforce] table read with the policy's lists."""
    try:
        return parse_enforce(data.get("enforce", {}), policy)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _memory(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    """The [memory] table, checked: positive spans and sizes, a threshold between 0 and 1."""
    for key in ("days", "max_texts", "refresh_seconds"):
        if table.get(key, 1) < 0 or (key != "refresh_seconds" and table.get(key, 1) == 0):
            raise ConfigError(f"{path}: 'memory.{key}' must be positive")
    if not 0.0 < table.get("threshold", 0.5) <= 1.0:
        raise ConfigError(f"{path}: 'memory.threshold' must be above 0 and at most 1")
    return dict(table)


def _alerts(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    """The [alerts] table, checked: each enabled channel's required keys, routes and the digest
    naming only enabled channels (telegram always counts), the digest's time as HH:MM."""
    enabled = {"telegram"} | {c for c in ALERT_CHANNELS if table.get(c, {}).get("enabled")}
    for name, keys in (("slack", ("channel",)), ("webhook", ("url",)),
                       ("email", ("host", "from", "to"))):
        for key in keys if name in enabled else ():
            if not table[name].get(key):
                raise ConfigError(f"{path}: missing key 'alerts.{name}.{key}'")
    url = table.get("webhook", {}).get("url", "")
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError(f"{path}: 'alerts.webhook.url' must start with https:// or http://")
    if not 1 <= table.get("webhook", {}).get("attempts", 1) <= 10:
        raise ConfigError(f"{path}: 'alerts.webhook.attempts' must be between 1 and 10")
    if not 0 < table.get("email", {}).get("port", 25) <= 65535:
        raise ConfigError(f"{path}: 'alerts.email.port' must be between 1 and 65535")
    lists = [(f"routes.{k}", v) for k, v in table.get("routes", {}).items()]
    lists.append(("digest.channels", table.get("digest", {}).get("channels", [])))
    for key, names in lists:
        if off := [n for n in names if n not in enabled]:
            raise ConfigError(f"{path}: 'alerts.{key}' names '{off[0]}', which is not an enabled "
                              f"channel (use {', '.join(sorted(enabled))})")
    if not _is_hhmm(table.get("digest", {}).get("at", "08:00")):
        raise ConfigError(f"{path}: 'alerts.digest.at' must be a UTC time like \"08:00\"")
    return dict(table)


def _is_hhmm(text: str) -> bool:
    """Whether text is a time of day as HH:MM (24-hour)."""
    hours, _, minutes = text.partition(":")
    return (len(hours) == len(minutes) == 2 and hours.isdigit() and minutes.isdigit()
            and int(hours) < 24 and int(minutes) < 60)


def _waves(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    """The [waves] table, checked: at least 2 accounts, positive spans and sizes, a share of 0-1."""
    if table.get("accounts", 2) < 2:
        raise ConfigError(f"{path}: 'waves.accounts' must be at least 2")
    for key in ("minutes", "max_posts"):
        if table.get(key, 1) <= 0:
            raise ConfigError(f"{path}: 'waves.{key}' must be positive")
    if table.get("new_days", 0) < 0:
        raise ConfigError(f"{path}: 'waves.new_days' must not be negative")
    if not 0.0 <= table.get("new_share", 0.5) <= 1.0:
        raise ConfigError(f"{path}: 'waves.new_share' must be between 0 and 1")
    return dict(table)


def _newcomers(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    """The [newcomers] table over its defaults, checked: a count of 0 or more, a factor in
    (0, 1]."""
    newcomers = {**DEFAULT_NEWCOMERS, **table}
    if newcomers["first_messages"] < 0:
        raise ConfigError(f"{path}: 'newcomers.first_messages' must not be negative")
    if not 0.0 < newcomers["factor"] <= 1.0:
        raise ConfigError(f"{path}: 'newcomers.factor' must be above 0 and at most 1")
    return newcomers


def _support(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    """The [support] table with its paths taken from the config file's
    folder; each must be a folder."""
    support = {k: _relative_to(path, v) if k != "use_encoder" else v for k, v in table.items()}
    for key in ("model_dir", "encoder_path"):
        folder = support.get(key)
        if folder is not None and not folder.is_dir():
            raise ConfigError(f"{path}: 'support.{key}' is not a folder: {folder}")
    return support


def _relative_to(config_path: Path, value: str | None) -> Path | None:
    """A path from the config; relative paths are taken from the config file's folder."""
    if not value:
        return None
    return (config_path.parent / value).resolve()


_LOADED: set[str] = (
    set()
)  # every credential read, so the log formatter can scrub it whatever its form
_NOT_SECRET = ("USERNAME", "CLIENT_ID")  # env vars read here that name an account, not a secret


def env_secret(name: str) -> str | None:
    """A credential from the environment; configs never hold credentials."""
    value = os.environ.get(name, "").strip()
    if len(value) >= 6 and not name.upper().endswith(
        _NOT_SECRET
    ):  # short ones would scrub ordinary words
        _LOADED.add(value)
    return value or None


def loaded_secrets() -> frozenset[str]:
    """The credentials read from the environment so far."""
    return frozenset(_LOADED)
