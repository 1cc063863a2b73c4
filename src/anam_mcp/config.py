"""Settings for anam-mcp: `Settings.from_environment` reads `ANAM_*` variables and a `.env` file, and never fails.

Settings built in code (`Settings(...)`, `model_validate`, `model_copy`) hold what they are given and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import PrivateAttr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from . import environment
from .core_settings import CoreSettings
from .http_settings import HttpSettings
from .net import proxy_problem

__all__ = ["ConfigurationError", "Settings"]

_PREFIX = "ANAM_"


class ConfigurationError(Exception):
    """Settings were invalid at start-up, so nothing is sent to Anam until they are fixed.

    Not an Anam error: nothing was asked of Anam, and the fix is in the server's environment.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(
            f"The anam-mcp server is misconfigured, so it sends nothing to Anam: {'; '.join(problems)}. Fix this "
            'in the MCP server\'s environment (the "env" block of your client config, or a .env file), then '
            "restart the server."
        )


# pydantic orders fields by the bases in reverse, so the settings every transport uses come first: invalid
# settings are described in this order, and the .env example and the README's table follow it.
class Settings(HttpSettings, CoreSettings):
    """Everything the server can be told from outside. Built once, in `main()` or by a test."""

    model_config = SettingsConfigDict(
        env_prefix=_PREFIX,
        # Lists are written `a, b c`, never as JSON: the validators split them.
        enable_decoding=False,
        extra="ignore",
        frozen=True,
        validate_default=False,
    )

    _problems: tuple[str, ...] = PrivateAttr(default=())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Settings built in code hold exactly what they are given: only `from_environment` looks outside.
        return (init_settings,)

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Settings from `ANAM_*` variables (`environ`, else the process's); `env_file` fills in the ones not set.

        Never fails: an invalid value keeps its default and is described in `problems`, so the server
        can still start and tell the user what to fix. A proxy variable (HTTPS_PROXY ...) that applies to the
        API but cannot be used is one of those problems too.
        """
        values = environment.read(cls, environ, env_file)
        try:
            settings = cls.model_validate(values)
            problems: list[str] = []
        except ValidationError as exc:
            errors = exc.errors()
            invalid = {str(error["loc"][0]) for error in errors if error["loc"]}
            settings = cls.model_validate({name: value for name, value in values.items() if name not in invalid})
            problems = list(dict.fromkeys(environment.problem(error, _PREFIX) for error in errors))
        # Not an ANAM_ setting, but the same kind of mistake: found now, it is reported like one.
        if proxy := proxy_problem(settings.base_url, environ):
            problems.append(proxy)
        settings._problems = tuple(problems)
        return settings

    @property
    def problems(self) -> tuple[str, ...]:
        """Settings that were invalid in the environment, each naming its variable and what is allowed."""
        return self._problems
