"""Retry-After in words, and the retry budget as a bound on the whole request (issue #12: 12a, 12b).

Waits are real here only where the timing is the behaviour under test.
"""

from __future__ import annotations

import time

import anyio
import pytest
import stamina

from anam_fake import FakeAnam, Fault
from anam_mcp.api import catalogue
from anam_mcp.api.catalogue import VOICES
from anam_mcp.api.errors import RateLimitedError
from anam_mcp.api.transport import AnamClient

from .helpers import in_memory, make_settings
from .upstream_helpers import call, text

pytestmark = [pytest.mark.anyio, pytest.mark.weight(3)]


# -- 12a. Retry-After wording ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "says"),
    [
        (2.99299, "Try again in about 3 s."),
        (0.2, "Try again in about 1 s."),
        (90, "Try again in about 90 s."),
        (150, "Try again in about 3 min."),
        (1e20, "Try again later."),
        (float("inf"), "Try again later."),
        (None, "Try again in a few seconds."),
    ],
)
def test_retry_after_is_rounded_and_capped_in_words(seconds: float | None, says: str) -> None:
    assert str(RateLimitedError(seconds)).endswith(says)


async def test_a_huge_retry_after_says_later(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault(status=429, headers={"Retry-After": "1e+20"}))
    async with in_memory(fake) as client:
        found = await call(client, "search_voices", {})
    assert found.is_error
    assert "rate limiting requests (429). Try again later." in text(found)
    assert "e+20" not in text(found)
    assert len(fake.requests_to("/v1/voices")) == 1


# -- 12b. the retry budget bounds the whole request --------------------------------------------


async def test_a_retried_request_ends_within_the_retry_budget(fake: FakeAnam) -> None:
    fake.script("/v1/voices", *[Fault(kind="hang", seconds=10)] * 10)
    async with in_memory(fake, read_timeout_seconds=1, retry_budget_seconds=1.5, max_retries=3) as client:
        started = time.perf_counter()
        found = await call(client, "search_voices", {})
        took = time.perf_counter() - started
    assert found.is_error
    assert "did not answer within 1.5 s" in text(found)
    assert 1.4 < took < 1.8, f"took {took:.2f} s against a budget of 1.5 s"


async def test_when_the_budget_ends_between_attempts_the_last_failure_is_reported(fake: FakeAnam) -> None:
    fake.script("/v1/voices", *[Fault(status=503, headers={"Retry-After": "5"})] * 3)
    with stamina.set_testing(False):  # the wait itself is the behaviour
        async with in_memory(fake, retry_budget_seconds=0.5) as client:
            started = time.perf_counter()
            found = await call(client, "search_voices", {})
    assert found.is_error
    assert "(503)" in text(found)
    assert time.perf_counter() - started < 1
    assert len(fake.requests_to("/v1/voices")) == 1


async def test_waiting_for_a_request_slot_does_not_use_the_retry_budget(fake: FakeAnam) -> None:
    fake.latency = 0.4
    settings = make_settings(fake, max_concurrent_requests=1, retry_budget_seconds=0.7)
    totals: list[int | None] = []
    async with AnamClient(settings) as client:

        async def count() -> None:
            totals.append(await catalogue.count(client, VOICES))

        async with anyio.create_task_group() as group:
            for _ in range(3):  # the third waits 0.8 s for its slot, then needs 0.4 s
                group.start_soon(count)
    assert totals == [450, 450, 450]
