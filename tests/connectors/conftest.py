"""Every answer the Telegram and Discord fakes give in these tests is checked against the
platforms' own API descriptions in ../shared/recorded (telegram/api.json,
discord/openapi.json) when they are there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from tests.fakes.contracts import (
    openapi_operation,
    openapi_response_schema,
    schema_errors,
    telegram_errors,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.recorded import folder
from tests.fakes.telegram import TelegramFake

TELEGRAM_ERROR_KEYS = {"ok", "error_code", "description", "parameters"}


@cache
def telegram_api() -> dict[str, Any] | None:
    """Bot API 10.1 as telegram-bot-api-spec describes it, or None when absent."""
    where = folder("telegram")
    return json.loads((where / "api.json").read_text(encoding="utf-8")) if where else None


@cache
def discord_spec() -> dict[str, Any] | None:
    """Discord's HTTP API v10 OpenAPI description, or None when absent."""
    where = folder("discord")
    return json.loads((where / "openapi.json").read_text(encoding="utf-8")) if where else None


def telegram_answer_errors(method: str, body: dict[str, Any], api: dict[str, Any]) -> list[str]:
    """Why one Bot API answer is not what Telegram would send for `method`."""
    where = f"{method}"
    if body.get("ok") is True:
        extra = [f"{where}: unknown key {k}" for k in body if k not in ("ok", "result")]
        return extra + [
            f"{where}: {e}"
            for e in telegram_errors(body.get("result"), api["methods"][method]["returns"], api)
        ]
    errors = [f"{where}: unknown error key {k}" for k in body if k not in TELEGRAM_ERROR_KEYS]
    errors += telegram_errors(body.get("error_code"), ["Integer"], api, f"{where}.error_code")
    errors += telegram_errors(body.get("description"), ["String"], api, f"{where}.description")
    if "parameters" in body:
        errors += telegram_errors(
            body["parameters"], ["ResponseParameters"], api, f"{where}.parameters"
        )
    return errors


def discord_answer_errors(
    method: str, path: str, status: int, body: Any, spec: dict[str, Any]
) -> list[str]:
    """Why one REST answer is not what Discord's OpenAPI description allows."""
    operation = openapi_operation(spec, method, path)
    if operation is None:
        return [f"{method} {path}: no such route in Discord's API"]
    schema = openapi_response_schema(spec, operation, status)
    if schema is None:
        return [f"{method} {path}: Discord documents no JSON answer with status {status}"]
    return [f"{method} {path} {status}: {e}" for e in schema_errors(body, schema, spec)]


@pytest.fixture(autouse=True)
def fakes_answer_as_the_platforms_do() -> Iterator[None]:
    """After each test, every answer of every Telegram and Discord fake it made matches the spec."""
    TelegramFake.made.clear()
    FakeDiscord.made.clear()
    yield
    errors: list[str] = []
    if (api := telegram_api()) is not None:
        for fake in TelegramFake.made:
            errors += [
                e
                for method, body in fake.answered
                for e in telegram_answer_errors(method, body, api)
            ]
    if (spec := discord_spec()) is not None:
        for fake in FakeDiscord.made:
            errors += [
                e
                for m, path, status, body in fake.answered
                for e in discord_answer_errors(m, path, status, body, spec)
            ]
    assert not errors, "fake answers the platform would not send:\n" + "\n".join(
        sorted(set(errors))[:30]
    )
