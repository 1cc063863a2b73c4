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

from anam_fake import DEFAULT_KEY, FakeAnam
from anam_mcp.check import run_check
from anam_mcp.config import Settings

from .helpers import SERVER_COMMAND, logging_to_string, server_env
from .raw_client import assert_only_json_rpc, start

# Each flaw an editor or a copy from a web page can put into a key; none may reach an HTTP header.
# Settings are checked for each flaw in this process; one flaw goes all the way through stdio, one through --check.
FLAWED_KEYS = {
    "line feed": "sk-SeCrEt\nTaIl",
    "carriage return": "sk-SeCrEt\r\nTaIl",
    "non-ASCII letter": "sk-SeCrEt-\u00e9-TaIl",
    "curly quote inside": "sk-SeCrEt\u201dTaIl",
    "space inside": "sk-SeCrEt TaIl",
    "non-breaking space": "sk-SeCrEt\u00a0TaIl",
}


# Ways a key arrives wrapped: each must come out as the bare key.
QUOTED = ["  \u201c{}\u201d ", "\u2018{}\u2019", '"{}"', "'{}'\n", "\u201d{}\u201d"]


@pytest.mark.parametrize("quoted", QUOTED)
def test_a_key_pasted_with_quote_marks_and_spaces_is_trimmed(quoted: str) -> None:
    settings = Settings.from_environment({"ANAM_API_KEY": quoted.format(DEFAULT_KEY)}, env_file=None)
    assert settings.problems == ()
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == DEFAULT_KEY


@pytest.mark.anyio
async def test_a_trimmed_key_works_over_stdio(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start(fake, tmp_path, ANAM_API_KEY=QUOTED[0].format(fake.api_key))
    await server.initialize()
    answer = await server.request(1, "tools/call", {"name": "list_llms", "arguments": {}})
    assert answer["result"]["isError"] is False, answer
    code, _ = await server.finish()
    assert code == 0
    assert fake.requests[0].headers["Authorization"] == f"Bearer {fake.api_key}"


def shows_none_of_the_key(text: str) -> bool:
    return "SeCrEt" not in text and "TaIl" not in text


@pytest.mark.parametrize("key", FLAWED_KEYS.values(), ids=FLAWED_KEYS.keys())
def test_a_key_with_a_flaw_is_refused_by_name_and_kept_from_every_request(key: str) -> None:
    settings = Settings.from_environment({"ANAM_API_KEY": key}, env_file=None)
    assert settings.api_key is None  # so no request can carry it
    (problem,) = settings.problems
    assert problem.startswith("ANAM_API_KEY contains")
    assert "Anam Lab" in problem
    assert shows_none_of_the_key(problem)


@pytest.mark.anyio
async def test_over_stdio_a_flawed_key_is_refused_by_name_and_shown_nowhere(fake: FakeAnam, tmp_path: Path) -> None:
    server = await start(fake, tmp_path, ANAM_API_KEY=FLAWED_KEYS["line feed"])
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
    assert shows_none_of_the_key("\n".join(server.lines))
    assert shows_none_of_the_key(stderr)


@pytest.mark.anyio
@pytest.mark.parametrize("key", FLAWED_KEYS.values(), ids=FLAWED_KEYS.keys())
async def test_check_refuses_a_flawed_key_without_a_traceback_or_any_of_the_key(
    key: str, fake: FakeAnam, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.from_environment({"ANAM_API_KEY": key, "ANAM_API_URL": fake.url}, env_file=None)
    assert await run_check(settings) == 1
    written = capsys.readouterr()
    assert "FAIL  ANAM_API_KEY contains" in written.err
    assert "Traceback" not in written.err
    assert shows_none_of_the_key(written.err)
    assert written.out == ""
    assert fake.requests == []


def test_the_command_line_check_refuses_a_flawed_key_without_a_traceback_or_any_of_the_key(
    fake: FakeAnam, tmp_path: Path
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    done = subprocess.run(
        [SERVER_COMMAND, "--check"],
        env=clean | server_env(fake, ANAM_API_KEY=FLAWED_KEYS["non-breaking space"]),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "FAIL  ANAM_API_KEY contains" in done.stderr
    assert "Traceback" not in done.stderr
    assert shows_none_of_the_key(done.stderr)
    assert fake.requests == []


KEY = "sk-live-\"quoted'\\back/slash+plus=0123456789"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Logging configured for KEY at DEBUG, writing into the stream yielded."""
    with logging_to_string({"ANAM_API_KEY": KEY, "ANAM_LOG_LEVEL": "DEBUG"}) as stream:
        yield stream


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
