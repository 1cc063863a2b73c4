"""Settings from outside the program, as hosts leave them: read, cleaned, and an invalid one put in words.

`read` takes a settings class's variables from the environment and a `.env` file through pydantic-settings'
sources, and cleans what hosts and people leave around a value. `problem` says what is wrong with one
without repeating the value, which may be a secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, DotEnvSettingsSource, EnvSettingsSource

__all__ = ["problem", "read"]

# Hosts such as Claude Desktop sometimes pass `${user_config.x}` through unsubstituted.
_TEMPLATE = re.compile(r"^\$\{[^}]*\}$")
# Quote marks a shell, a JSON config or a word processor may leave around a pasted value.
_QUOTES = "\"'\u201c\u201d\u2018\u2019"


def read(settings_cls: type[BaseSettings], environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    """The values set for `settings_cls`'s fields, by field name: `environ` (the process environment when None)
    over `env_file` (none when None or missing).

    Surrounding whitespace and quote marks are removed. Empty values and unsubstituted templates mean "not set",
    so they are left out and defaults apply; a variable set that way still hides the file's value.
    """
    found = DotEnvSettingsSource(settings_cls, env_file=env_file)() if env_file is not None else {}
    found |= _Variables(settings_cls, environ)()
    return {
        name: cleaned
        for name, value in found.items()
        if name in settings_cls.model_fields and isinstance(value, str) and not _unset(cleaned := _cleaned(value))
    }


def problem(error: ErrorDetails, prefix: str) -> str:
    """One invalid setting in words: its variable (`prefix` and the field), and what it must be. Never the value."""
    variable = prefix + "_".join(map(str, error["loc"])).upper()
    kind = error["type"]
    context = {key: f"{value:g}" if isinstance(value, float) else value for key, value in error.get("ctx", {}).items()}
    if kind == "value_error":
        rule = str(context["error"])
    elif kind in _RULES:
        rule = _RULES[kind].format(**context)
    elif kind.startswith("url_"):
        rule = "must be a URL such as https://api.anam.ai"
    else:
        rule = "is not valid"
    return f"{variable} {rule}"


_RULES = {
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "float_parsing": "must be a number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be true or false",
    "literal_error": "must be one of {expected}",
}


class _Variables(EnvSettingsSource):
    """The settings' variables in `environ`, or in the process environment when that is None."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str] | None) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        if self._environ is None:
            return super()._load_env_vars()
        # Matched as the process environment is: case-insensitively (pydantic-settings' default).
        return {name.lower(): value for name, value in self._environ.items()}


def _cleaned(value: str) -> str:
    """The value without surrounding whitespace and quote marks (straight or curly)."""
    previous = None
    while value != previous:
        previous, value = value, value.strip().strip(_QUOTES)
    return value


def _unset(value: str) -> bool:
    """Empty values and unsubstituted templates mean "not set", so defaults apply."""
    return not value or bool(_TEMPLATE.match(value))
