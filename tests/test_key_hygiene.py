"""The API key: cleaned or refused when it is loaded, never shown, and redacted from logs in every form."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from anam_mcp.config import Settings
from anam_mcp.logs import configure_logging

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


KEY = "sk-live-\"quoted'\\back/slash+plus=0123456789"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Logging configured for KEY at DEBUG, writing into the stream yielded."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging(Settings.from_environment({"ANAM_API_KEY": KEY, "ANAM_LOG_LEVEL": "DEBUG"}, env_file=None))
        stream = io.StringIO()
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


ESCAPED_FORMS = {
    "repr": repr(KEY),
    "bytes repr": repr(KEY.encode()),
    "json": json.dumps(KEY),
    "json in a header list": repr([(b"Authorization", f"Bearer {KEY}".encode())]),
    "url-quoted": quote(KEY, safe=""),
    "unicode escape": KEY.encode("unicode_escape").decode(),
}


@pytest.mark.parametrize("form", ESCAPED_FORMS.values(), ids=ESCAPED_FORMS.keys())
def test_the_log_formatter_redacts_escaped_and_repr_forms_of_the_key(form: str, log_stream: io.StringIO) -> None:
    logging.getLogger("httpcore2.http11").warning("send_request_headers %s", form)
    written = log_stream.getvalue()
    assert "[redacted]" in written
    assert "0123456789" not in written
