"""Settings from the environment and .env, and the key kept out of reprs and logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from anam_mcp.api.errors import AnamError
from anam_mcp.api.transport import AnamClient
from anam_mcp.config import ConfigurationError, Settings
from anam_mcp.core_settings import DEFAULT_API_URL

from .helpers import ROOT, logging_to_string

KEY = "sk-live-very-secret-0123456789"


def test_defaults_without_any_configuration(tmp_path: Path) -> None:
    settings = Settings.from_environment({}, env_file=tmp_path / ".env")
    assert settings.api_key is None
    assert settings.base_url == DEFAULT_API_URL
    assert settings.log_level == "INFO"


def test_environment_overrides_the_dot_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"ANAM_API_KEY={KEY}\nANAM_LOG_LEVEL=debug\nANAM_CATALOG_TTL_SECONDS=60\n", encoding="utf-8")
    settings = Settings.from_environment({"ANAM_CATALOG_TTL_SECONDS": "5", "OTHER": "x"}, env_file=env_file)
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == KEY
    assert settings.log_level == "DEBUG"
    assert settings.catalog_ttl_seconds == 5


@pytest.mark.parametrize("value", ["", "   ", "${user_config.anam_api_key}", " ${ANAM_API_KEY} "])
def test_blank_values_and_unsubstituted_templates_are_unset(value: str, tmp_path: Path) -> None:
    settings = Settings.from_environment({"ANAM_API_KEY": value, "ANAM_API_URL": value}, env_file=None)
    assert settings.api_key is None
    assert settings.base_url == DEFAULT_API_URL


def test_surrounding_whitespace_is_trimmed() -> None:
    settings = Settings.from_environment({"ANAM_API_KEY": f"  {KEY}\n"}, env_file=None)
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == KEY


def test_invalid_values_are_refused() -> None:
    assert Settings.from_environment({"ANAM_READ_TIMEOUT_SECONDS": "-1"}, env_file=None).problems
    assert Settings.from_environment({"ANAM_LOG_LEVEL": "LOUD"}, env_file=None).problems
    assert Settings.from_environment({"ANAM_DEFAULT_LLM_ID": "gpt-4o-mini"}, env_file=None).problems


def test_the_key_never_shows_in_reprs_or_dumps() -> None:
    settings = Settings.from_environment({"ANAM_API_KEY": KEY}, env_file=None)
    assert KEY not in repr(settings)
    assert KEY not in str(settings)
    assert KEY not in settings.model_dump_json()
    assert KEY not in repr(AnamClient(settings))


def test_logging_redacts_the_key_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    with logging_to_string({"ANAM_API_KEY": KEY, "ANAM_LOG_LEVEL": "DEBUG"}) as stream:
        log = logging.getLogger("anam_mcp.test")
        log.debug("Authorization: Bearer %s", KEY)
        try:
            raise RuntimeError(f"boom {KEY}")
        except RuntimeError:
            log.exception("failed")
        written = stream.getvalue()
    assert "Bearer [redacted]" in written
    assert "boom [redacted]" in written
    assert KEY not in written
    assert capsys.readouterr().out == ""  # never stdout


def test_every_setting_is_documented() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field in Settings.model_fields:
        name = f"ANAM_{field.upper()}"
        assert f"\n{name}=" in example, f"{name} missing from .env.example"
        assert f"| `{name}` |" in readme, f"{name} missing from the README's configuration table"


@pytest.mark.parametrize("url", ["http://api.anam.ai", "http://10.0.0.5:8080", "ftp://api.anam.ai"])
def test_the_key_is_never_sent_over_plain_http_to_another_host(url: str) -> None:
    assert "https" in Settings.from_environment({"ANAM_API_URL": url}, env_file=None).problems[0]


@pytest.mark.parametrize(
    "url", ["https://api.anam.ai", "http://127.0.0.1:8765", "http://localhost:9", "http://[::1]:80"]
)
def test_https_and_loopback_urls_are_accepted(url: str) -> None:
    assert Settings.from_environment({"ANAM_API_URL": url}, env_file=None).base_url.startswith(url.split(":")[0])


def test_view_media_domains_take_a_list_of_origins() -> None:
    settings = Settings.from_environment(
        {"ANAM_VIEW_MEDIA_DOMAINS": "https://Media.Example.com, https://*.cdn.example.com http://127.0.0.1:8765"},
        env_file=None,
    )
    assert settings.view_media_domains == (
        "https://media.example.com",
        "https://*.cdn.example.com",
        "http://127.0.0.1:8765",
    )


@pytest.mark.parametrize(
    "value",
    [
        "https://media.example.com/images",  # a path: not an origin
        "https://a.example.com 'unsafe-inline'",  # a CSP keyword smuggled in
        "https://a.example.com;script-src *",  # a second directive smuggled in
        "http://media.example.com",  # plain http off this machine
        "data:",
        "*",
    ],
)
def test_view_media_domains_refuse_anything_but_origins(value: str) -> None:
    settings = Settings.from_environment({"ANAM_VIEW_MEDIA_DOMAINS": value}, env_file=None)
    assert any("ANAM_VIEW_MEDIA_DOMAINS" in p and "not an origin" in p for p in settings.problems)


def test_the_js_sdk_url_is_https_unless_local() -> None:
    remote = Settings.from_environment({"ANAM_JS_SDK_URL": "http://cdn.example.com/anam.js"}, env_file=None)
    assert any("ANAM_JS_SDK_URL" in p and "https" in p for p in remote.problems)
    local = Settings.from_environment({"ANAM_JS_SDK_URL": "http://127.0.0.1:9/anam.js"}, env_file=None)
    assert str(local.js_sdk_url) == "http://127.0.0.1:9/anam.js"


@pytest.mark.parametrize(
    ("base", "url"),
    [
        (None, "https://lab.anam.ai/share/sh_1"),
        ("https://share.example.test/p", "https://share.example.test/p/sh_1"),
        ("https://share.example.test/p/", "https://share.example.test/p/sh_1"),
    ],
)
def test_a_share_url_is_the_base_then_the_token(base: str | None, url: str) -> None:
    settings = Settings.from_environment({"ANAM_SHARE_BASE_URL": base} if base else {}, env_file=None)
    assert settings.share_url("sh_1") == url
    assert settings.share_url("a/b?c") == url.replace("sh_1", "a%2Fb%3Fc")


def test_http_lists_are_split_on_commas_and_spaces_and_normalised() -> None:
    settings = Settings.from_environment(
        {
            "ANAM_MCP_TOKENS": "team-token-0123456789, other-token-0123456789",
            "ANAM_HTTP_ALLOWED_HOSTS": "MCP.Example.com 10.0.0.5:*",
            "ANAM_HTTP_CORS_ORIGINS": "https://App.example.com/",
            "ANAM_HTTP_FORWARDED_ALLOW_IPS": "10.0.0.0/8,127.0.0.1",
        },
        env_file=None,
    )
    assert settings.problems == ()
    assert [t.get_secret_value() for t in settings.mcp_tokens] == ["team-token-0123456789", "other-token-0123456789"]
    assert settings.http_allowed_hosts == ("mcp.example.com", "10.0.0.5:*")
    assert settings.http_cors_origins == ("https://app.example.com",)
    assert settings.http_forwarded_allow_ips == ("10.0.0.0/8", "127.0.0.1")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ANAM_MCP_TOKENS", "short"),
        ("ANAM_MCP_TOKENS", "good-token-0123456789,has/slash-0123456789"),
        ("ANAM_HTTP_ALLOWED_HOSTS", "https://mcp.example.com"),
        ("ANAM_HTTP_CORS_ORIGINS", "*"),
        ("ANAM_HTTP_CORS_ORIGINS", "https://app.example.com/path"),
        ("ANAM_HTTP_FORWARDED_ALLOW_IPS", "proxy.example.com"),
        ("ANAM_REQUEST_STATE_KEY", "too-short"),
        ("ANAM_HTTP_MAX_BODY_BYTES", "10"),
        ("ANAM_MAX_ACCOUNTS", "0"),
    ],
)
def test_a_bad_http_setting_is_a_problem_that_names_the_variable_not_the_value(variable: str, value: str) -> None:
    settings = Settings.from_environment({variable: value}, env_file=None)
    [problem] = settings.problems
    assert problem.startswith(variable + " ")
    if variable in ("ANAM_MCP_TOKENS", "ANAM_REQUEST_STATE_KEY"):
        assert value not in problem  # secrets
        assert getattr(settings, variable.removeprefix("ANAM_").lower()) in ((), None)


def test_several_bad_values_from_the_environment_and_the_file_are_all_reported(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    lines = ["ANAM_READ_TIMEOUT_SECONDS=-1", "ANAM_TOOLSETS=a/b", "ANAM_CATALOG_TTL_SECONDS=6"]
    env_file.write_text("\n".join(lines), encoding="utf-8")
    environ = {"ANAM_MAX_RETRIES": "99", "ANAM_LOG_LEVEL": "LOUD", "ANAM_PREFETCH": "false"}
    settings = Settings.from_environment(environ, env_file=env_file)
    assert sorted(problem.split()[0] for problem in settings.problems) == [
        "ANAM_LOG_LEVEL",
        "ANAM_MAX_RETRIES",
        "ANAM_READ_TIMEOUT_SECONDS",
        "ANAM_TOOLSETS",
    ]
    assert "ANAM_MAX_RETRIES must be at most 10" in settings.problems
    # Each bad value keeps its default; the good ones, from either place, still apply.
    defaults = Settings()
    for name in ("log_level", "max_retries", "read_timeout_seconds", "toolsets"):
        assert getattr(settings, name) == getattr(defaults, name)
    assert (settings.prefetch, settings.catalog_ttl_seconds) == (False, 6)


def test_settings_built_in_code_never_read_the_environment_or_a_dot_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ANAM_LOG_LEVEL=DEBUG\n", encoding="utf-8")
    monkeypatch.setenv("ANAM_API_KEY", KEY)
    monkeypatch.setenv("ANAM_MAX_RETRIES", "7")
    for settings in (Settings(), Settings.model_validate({}), Settings(log_http=True).model_copy(update={})):
        assert settings.api_key is None
        assert (settings.log_level, settings.max_retries) == ("INFO", 3)
    # Asked, it reads both.
    read = Settings.from_environment()
    assert (read.api_key is not None, read.log_level, read.max_retries) == (True, "DEBUG", 7)


def test_toolsets_default_to_all_and_are_a_lower_cased_list() -> None:
    assert Settings.from_environment({}, env_file=None).toolsets == ("all",)
    settings = Settings.from_environment({"ANAM_TOOLSETS": " Personas, catalogue  share_links,x-2 "}, env_file=None)
    assert settings.problems == ()
    assert settings.toolsets == ("personas", "catalogue", "share_links", "x-2")


@pytest.mark.parametrize("value", ["personas;sessions", "a/b", "caf\u00e9", ","])
def test_a_toolset_name_with_other_characters_is_a_problem(value: str) -> None:
    settings = Settings.from_environment({"ANAM_TOOLSETS": value}, env_file=None)
    [problem] = settings.problems
    assert problem.startswith("ANAM_TOOLSETS must be toolset names")
    assert settings.toolsets == ("all",)


def test_a_configuration_error_is_not_an_anam_error_and_lists_the_problems() -> None:
    error = ConfigurationError(["ANAM_MAX_RETRIES must be at most 10", "ANAM_LOG_LEVEL is not valid"])
    assert not isinstance(error, AnamError)
    assert "misconfigured" in str(error)
    assert "ANAM_MAX_RETRIES must be at most 10; ANAM_LOG_LEVEL is not valid" in str(error)
