"""The API key: cleaned or refused when it is loaded, and never shown."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import SERVER_COMMAND, server_env
from .fake_anam import FakeAnam
from .raw_client import assert_only_json_rpc, start

# Each flaw an editor or a copy from a web page can put into a key; none may reach an HTTP header.
FLAWED_KEYS = {
    "line feed": "sk-SeCrEt\nTaIl",
    "carriage return": "sk-SeCrEt\r\nTaIl",
    "non-ASCII letter": "sk-SeCrEt-\u00e9-TaIl",
    "curly quote inside": "sk-SeCrEt\u201dTaIl",
    "space inside": "sk-SeCrEt TaIl",
    "non-breaking space": "sk-SeCrEt\u00a0TaIl",
}


@pytest.mark.anyio
@pytest.mark.parametrize("quoted", ["  \u201c{}\u201d ", "\u2018{}\u2019", '"{}"', "'{}'\n", "\u201d{}\u201d"])
async def test_a_key_pasted_with_quote_marks_and_spaces_is_trimmed_and_works(
    quoted: str, fake: FakeAnam, tmp_path: Path
) -> None:
    server = await start(fake, tmp_path, ANAM_API_KEY=quoted.format(fake.api_key))
    await server.initialize()
    answer = await server.request(1, "tools/call", {"name": "list_llms", "arguments": {}})
    assert answer["result"]["isError"] is False, answer
    code, _ = await server.finish()
    assert code == 0
    assert fake.requests[0].headers["Authorization"] == f"Bearer {fake.api_key}"


@pytest.mark.anyio
@pytest.mark.parametrize("key", FLAWED_KEYS.values(), ids=FLAWED_KEYS.keys())
async def test_a_key_with_a_flaw_is_refused_by_name_and_nothing_is_sent(
    key: str, fake: FakeAnam, tmp_path: Path
) -> None:
    server = await start(fake, tmp_path, ANAM_API_KEY=key)
    await server.initialize()
    answer = await server.request(1, "tools/call", {"name": "search_voices", "arguments": {}})
    code, stderr = await server.finish()
    assert answer["result"]["isError"] is True
    text = answer["result"]["content"][0]["text"]
    assert "ANAM_API_KEY contains" in text
    assert "Anam Lab" in text
    assert "connection" not in text.lower()
    assert fake.requests == []
    assert code == 0
    assert_only_json_rpc(server.lines)
    for shown in ("\n".join(server.lines), stderr):
        assert "SeCrEt" not in shown and "TaIl" not in shown


@pytest.mark.parametrize("key", FLAWED_KEYS.values(), ids=FLAWED_KEYS.keys())
def test_check_refuses_a_flawed_key_without_a_traceback_or_any_of_the_key(
    key: str, fake: FakeAnam, tmp_path: Path
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    done = subprocess.run(
        [SERVER_COMMAND, "--check"],
        env=clean | server_env(fake, ANAM_API_KEY=key),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "FAIL  ANAM_API_KEY contains" in done.stderr
    assert "Traceback" not in done.stderr
    assert "SeCrEt" not in done.stderr and "TaIl" not in done.stderr
    assert fake.requests == []
