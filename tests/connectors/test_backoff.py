"""The connectors' one retry loop: the platform's waits, the backoff's delays, the attempts."""

from __future__ import annotations

import asyncio

import pytest

from monitor.connectors.backoff import Backoff, with_backoff


class Flaky(Exception):
    """An error worth another try."""


class Refused(Exception):
    """An error that is raised at once."""


def _run(errors: list[Exception], attempts: int | None, backoff: Backoff | None = None,
         ) -> tuple[str | Exception, list[tuple[str, float]]]:
    """Call something that fails with `errors` in turn, then answers; the result and the retries."""
    left = list(errors)
    said: list[tuple[str, float]] = []

    async def call() -> str:
        if left:
            raise left.pop(0)
        return "ok"

    def wait_for(exc: Exception) -> float | None:
        return 0.001 if isinstance(exc, Flaky) else None

    async def scenario() -> str | Exception:
        try:
            return await with_backoff(call, wait_for, lambda exc, wait: said.append(
                (type(exc).__name__, wait)), attempts=attempts, backoff=backoff)
        except Exception as exc:  # noqa: BLE001 - the error is the result here
            return exc

    return asyncio.run(scenario()), said


def test_retried_errors_are_waited_out_and_said_until_the_call_answers() -> None:
    result, said = _run([Flaky(), Flaky()], attempts=5)
    assert result == "ok" and said == [("Flaky", 0.001), ("Flaky", 0.001)]


def test_an_error_without_a_wait_is_raised_at_once() -> None:
    result, said = _run([Flaky(), Refused(), Flaky()], attempts=None)
    assert isinstance(result, Refused) and said == [("Flaky", 0.001)]


def test_the_last_attempts_error_is_raised_as_it_is() -> None:
    result, said = _run([Flaky()] * 3, attempts=3)
    assert isinstance(result, Flaky) and len(said) == 2


def test_backoff_doubles_up_to_its_cap_and_starts_again_after_a_success() -> None:
    backoff = Backoff(0.5, 2.0)
    assert [backoff.delay() for _ in range(4)] == [0.5, 1.0, 2.0, 2.0]
    result, _ = _run([], attempts=1, backoff=backoff)
    assert result == "ok" and backoff.delay() == 0.5


@pytest.mark.parametrize("attempts", [None, 1])
def test_a_call_that_answers_is_not_retried(attempts: int | None) -> None:
    assert _run([], attempts=attempts) == ("ok", [])
