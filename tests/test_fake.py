"""The fake itself: every fake starts from the same seeded records, whatever earlier fakes were made to hold."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from anam_fake import CARA_AVATAR_ID, FakeAnam, make_avatars, make_voices


def test_each_fake_starts_from_the_seeded_records_whatever_another_did() -> None:
    first = FakeAnam()
    first.catalogues["/v1/avatars"][0]["displayName"] = "Changed"
    first.catalogues["/v1/avatars"][0]["availableVersions"].append("cara-9")
    first.catalogues["/v1/personas"].clear()
    first.transcripts.clear()
    second = FakeAnam()
    cara = second.catalogues["/v1/avatars"][0]
    assert (cara["id"], cara["displayName"], "cara-9" in cara["availableVersions"]) == (CARA_AVATAR_ID, "Cara", False)
    assert second.catalogues["/v1/avatars"] == make_avatars()
    assert (len(second.catalogues["/v1/personas"]), len(second.transcripts)) == (25, 12)


def test_each_generated_list_is_the_callers_own() -> None:
    voices = make_voices()
    voices[0]["displayName"] = "Changed"
    voices.append({"id": "extra"})
    again = make_voices()
    assert (again[0]["displayName"], len(again)) == ("Cara", 450)


def test_a_path_no_area_serves_is_anams_404(fake: FakeAnam) -> None:
    request = urllib.request.Request(fake.url + "/v1/nowhere", headers={"Authorization": f"Bearer {fake.api_key}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404
    assert json.loads(refused.value.read()) == {"error": "Not found", "message": "Cannot GET /v1/nowhere"}
