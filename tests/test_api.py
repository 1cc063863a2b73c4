"""AnamClient against the fake Anam API over real HTTP: pagination, headers, bodies, errors, retries."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from uuid import UUID

import httpx2
import pytest
import stamina

from anam_fake import FakeAnam, Fault
from anam_mcp import __version__
from anam_mcp.api import catalogue, personas, sessions, share_links
from anam_mcp.api.catalogue import AVATARS, VOICES
from anam_mcp.api.errors import (
    AnamUnavailableError,
    AuthenticationError,
    ConnectionDroppedError,
    InvalidRequestError,
    MissingApiKeyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UnreachableError,
    UnreadableResponseError,
    UpstreamTimeoutError,
)
from anam_mcp.api.pages import list_all
from anam_mcp.api.status import _rate_limited, _retry_after
from anam_mcp.api.transport import AnamClient, _retry_policy

from .helpers import make_settings

pytestmark = pytest.mark.anyio


async def test_listing_spans_every_page_with_per_page_100(fake: FakeAnam) -> None:
    async with AnamClient(make_settings(fake)) as client:
        voices = await list_all(client, VOICES.listing)
    assert len(voices) == len(fake.catalogues["/v1/voices"]) == 450
    assert len({v.id for v in voices}) == 450
    sent = fake.requests_to("/v1/voices")
    assert sorted(int(r.query["page"]) for r in sent) == [1, 2, 3, 4, 5]
    assert {r.query["perPage"] for r in sent} == {"100"}


async def test_listing_reports_progress_per_page(fake: FakeAnam) -> None:
    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    async with AnamClient(make_settings(fake)) as client:
        await list_all(client, AVATARS.listing, progress)
    assert seen == [(1, 2), (2, 2)]


async def test_every_request_carries_bearer_key_and_user_agent(fake: FakeAnam) -> None:
    async with AnamClient(make_settings(fake)) as client:
        await catalogue.count(client, AVATARS)
    headers = fake.requests[0].headers
    assert headers["Authorization"] == f"Bearer {fake.api_key}"
    assert headers["User-Agent"] == f"anam-mcp/{__version__}"


async def test_unknown_fields_and_nulls_are_tolerated(fake: FakeAnam) -> None:
    fake.catalogues["/v1/avatars"][0]["variantName"] = None
    fake.catalogues["/v1/avatars"].append({"displayName": "no id: skipped"})
    async with AnamClient(make_settings(fake)) as client:
        avatars = await list_all(client, AVATARS.listing)
    assert len(avatars) == 130
    assert avatars[0].variant_name is None


async def test_missing_key_fails_without_a_request(fake: FakeAnam) -> None:
    async with AnamClient(make_settings(fake, api_key=None)) as client:
        with pytest.raises(MissingApiKeyError, match="ANAM_API_KEY is not set"):
            await catalogue.count(client, VOICES)
    assert fake.requests == []


async def test_wrong_key_is_an_authentication_error_that_hides_the_key(fake: FakeAnam) -> None:
    async with AnamClient(make_settings(fake, api_key="wrong-secret-key")) as client:
        with pytest.raises(AuthenticationError) as caught:
            await catalogue.count(client, VOICES)
    assert "ANAM_API_KEY" in str(caught.value)
    assert "wrong-secret-key" not in str(caught.value)
    assert "wrong-secret-key" not in repr(client)


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (400, InvalidRequestError, "Anam rejected the request as invalid (400): bad field"),
        (403, PermissionDeniedError, "(403): bad field"),
        (404, NotFoundError, "(404): bad field"),
        (500, AnamUnavailableError, "(500): bad field"),
    ],
)
async def test_error_statuses_map_to_named_errors_with_anams_message(
    fake: FakeAnam, status: int, error: type[Exception], text: str
) -> None:
    fake.script("/v1/voices", Fault(status=status, body={"error": "Oops", "message": "bad\n  field"}))
    async with AnamClient(make_settings(fake)) as client:
        with pytest.raises(error) as caught:
            await catalogue.count(client, VOICES)
    assert text in str(caught.value)
    assert len(fake.requests) == 1  # none of these is retried


async def test_429_with_retry_after_is_retried_after_the_wait(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault(status=429, headers={"Retry-After": "1"}), Fault("ok"))
    with stamina.set_testing(False):  # the wait itself is what this test is about
        async with AnamClient(make_settings(fake)) as client:
            started = time.monotonic()
            total = await catalogue.count(client, VOICES)
            waited = time.monotonic() - started
    assert total
    assert len(fake.requests) == 2
    assert waited >= 1.0


async def test_429_with_a_long_retry_after_gives_up_at_once_and_says_when(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault(status=429, headers={"Retry-After": "120"}))
    async with AnamClient(make_settings(fake)) as client:
        with pytest.raises(RateLimitedError, match="in about 2 min"):
            await catalogue.count(client, VOICES)
    assert len(fake.requests) == 1


async def test_503_twice_then_success(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault(status=503), Fault(kind="html", status=502), Fault("ok"))
    async with AnamClient(make_settings(fake)) as client:
        total = await catalogue.count(client, VOICES)
    assert total
    assert len(fake.requests) == 3


async def test_retries_stop_after_max_retries(fake: FakeAnam) -> None:
    fake.script("/v1/voices", *[Fault(status=504)] * 10)
    async with AnamClient(make_settings(fake, max_retries=2)) as client:
        with pytest.raises(AnamUnavailableError, match="504"):
            await catalogue.count(client, VOICES)
    assert len(fake.requests) == 3


async def test_html_error_page_is_not_echoed(fake: FakeAnam) -> None:
    fake.script("/v1/voices", *[Fault(kind="html", status=502)] * 5)
    async with AnamClient(make_settings(fake, max_retries=0)) as client:
        with pytest.raises(AnamUnavailableError) as caught:
            await catalogue.count(client, VOICES)
    assert "<html" not in str(caught.value)
    assert "502" in str(caught.value)


async def test_session_token_post_is_not_retried_after_a_5xx(fake: FakeAnam) -> None:
    fake.script("/v1/auth/session-token", Fault(status=503), Fault("ok"))
    async with AnamClient(make_settings(fake)) as client:
        with pytest.raises(AnamUnavailableError):
            await sessions.create_token(client, {"personaConfig": {"voiceId": "6bfbe25a-979d-40f3-a92b-5394170af54b"}})
    assert len(fake.requests) == 1
    assert fake.tokens_issued == 0


def test_post_retry_policy_only_retries_connection_failures() -> None:
    retry_post = _retry_policy(idempotent=False)
    assert retry_post(UnreachableError("http://x")) is True
    for exc in (UpstreamTimeoutError(1), AnamUnavailableError(503), ConnectionDroppedError(), RateLimitedError(1)):
        assert retry_post(exc) is False
    retry_get = _retry_policy(idempotent=True)
    assert retry_get(UpstreamTimeoutError(1)) is True
    assert retry_get(RateLimitedError(2)) == 2
    assert retry_get(AnamUnavailableError(500)) is False
    assert retry_get(NotFoundError(None)) is False


async def test_invalid_json_is_an_unreadable_response(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault(kind="invalid_json"))
    async with AnamClient(make_settings(fake)) as client:
        with pytest.raises(UnreadableResponseError, match="not JSON"):
            await catalogue.count(client, VOICES)


async def test_truncated_body_is_retried_for_a_get(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault(kind="truncated"), Fault("ok"))
    async with AnamClient(make_settings(fake)) as client:
        total = await catalogue.count(client, VOICES)
    assert total
    assert len(fake.requests) == 2


async def test_body_over_the_cap_is_refused(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault(kind="huge", seconds=4 * 1024 * 1024))
    async with AnamClient(make_settings(fake, max_response_bytes=1024 * 1024)) as client:
        with pytest.raises(UnreadableResponseError, match="larger than the 1 MiB limit"):
            await catalogue.count(client, VOICES)


async def test_a_hang_becomes_a_timeout(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault(kind="hang", seconds=10))
    async with AnamClient(make_settings(fake, read_timeout_seconds=0.3, max_retries=0)) as client:
        with pytest.raises(UpstreamTimeoutError, match="did not answer"):
            await catalogue.count(client, VOICES)


async def test_a_body_that_never_finishes_hits_the_deadline(fake: FakeAnam) -> None:
    fake.script("/v1/voices", Fault(kind="drip", seconds=10))
    settings = make_settings(fake, read_timeout_seconds=0.5, connect_timeout_seconds=0.2, max_retries=0)
    async with AnamClient(settings) as client:
        # Each byte comes within the read timeout: what ends it is the whole-request deadline (connect + 2 x read).
        with pytest.raises(UpstreamTimeoutError, match=r"within 1\.2 s"):
            await catalogue.count(client, VOICES)


async def test_connection_refused_is_unreachable(fake: FakeAnam) -> None:
    settings = make_settings(fake, max_retries=1)
    fake.stop()
    async with AnamClient(settings) as client:
        with pytest.raises(UnreachableError, match="Could not connect"):
            await catalogue.count(client, VOICES)


async def test_unknown_persona_is_not_found(fake: FakeAnam) -> None:
    async with AnamClient(make_settings(fake)) as client:
        body = {"personaConfig": {"personaId": "11111111-2222-4333-8444-555555555555"}}
        with pytest.raises(NotFoundError, match="Persona not found"):
            await sessions.create_token(client, body)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert _retry_after(httpx2.Headers({"Retry-After": "3"})) == 3
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    wait = _retry_after(httpx2.Headers({"Retry-After": later}))
    assert wait is not None and 25 <= wait <= 31
    assert _retry_after(httpx2.Headers({"RateLimit-Reset": "7"})) == 7
    assert _retry_after(httpx2.Headers({"Retry-After": "soon"})) is None
    assert _retry_after(httpx2.Headers()) is None


# Anam's meeting-invite rate-limit headers: a window per requester per minute, one per organisation per hour.
MINUTE = {"RateLimit-Limit": "10", "RateLimit-Reset": "42", "X-RateLimit-Org-Hour-Limit": "30"}


@pytest.mark.parametrize(
    ("headers", "wait", "says"),
    [
        (MINUTE | {"RateLimit-Remaining": "0", "X-RateLimit-Org-Hour-Remaining": "7"}, 42, "10 a minute for each"),
        (
            MINUTE
            | {"RateLimit-Remaining": "0", "X-RateLimit-Org-Hour-Remaining": "0", "X-RateLimit-Org-Hour-Reset": "1800"},
            1800,
            "the limit of 30 an hour for the organisation is used up. Try again in about 30 min.",
        ),
        ({"Retry-After": "3", "RateLimit-Remaining": "0", "RateLimit-Reset": "2"}, 3, "the limit of requests a minute"),
        ({"Retry-After": "3"}, 3, "(429). Try again in about 3 s."),
        ({"RateLimit-Remaining": "0", "RateLimit-Reset": "soon"}, None, "(429). Try again in a few seconds."),
    ],
    ids=["minute", "hour", "retry-after longer", "retry-after alone", "unreadable reset"],
)
def test_a_429_waits_for_every_window_used_up_and_names_the_longest(
    headers: dict[str, str], wait: float | None, says: str
) -> None:
    error = _rate_limited(httpx2.Headers(headers))
    assert error.retry_after == wait
    assert says in str(error), str(error)


async def test_a_persona_update_or_delete_is_retried_and_what_creates_is_not(fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    path = f"/v1/personas/{persona_id}"
    fake.script(path, Fault(status=503), Fault(status=503), Fault("ok"))
    async with AnamClient(make_settings(fake)) as client:
        updated = await personas.update(client, UUID(persona_id), {"name": "Renamed"})
        assert updated.name == "Renamed"
        assert len(fake.requests_to(path, "PUT")) == 3
        fake.script(path, Fault(status=503), Fault("ok"))
        await personas.delete(client, UUID(persona_id))
        assert len(fake.requests_to(path, "DELETE")) == 2
        fake.script("/v1/personas", Fault(status=503))
        with pytest.raises(AnamUnavailableError):
            await personas.create(client, {"name": "Once"})
        fake.script("/v1/share-links", Fault(status=503))
        with pytest.raises(AnamUnavailableError):
            await share_links.create(client, {"personaId": fake.catalogues["/v1/personas"][0]["id"]})
    assert len(fake.requests_to("/v1/personas", "POST")) == 1
    assert len(fake.requests_to("/v1/share-links", "POST")) == 1
