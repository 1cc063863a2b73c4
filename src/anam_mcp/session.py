"""The session-token request: a saved persona by id, or an ephemeral persona described in the request."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from .arguments import ClientLabelArg, MaxSessionLengthArg, PersonaIdArg
from .persona import PersonaConfig

__all__ = ["EphemeralPersona", "SessionTokenArgs"]


class EphemeralPersona(PersonaConfig):
    """A persona defined for one session only: the persona configuration plus a session time limit."""

    max_session_length_seconds: MaxSessionLengthArg = None


class SessionTokenArgs(EphemeralPersona):
    """create_session_token's arguments: persona_id alone, or the ephemeral persona's fields."""

    persona_id: PersonaIdArg = None
    client_label: ClientLabelArg = None

    @model_validator(mode="after")
    def _one_mode_only(self) -> SessionTokenArgs:
        if self.persona_id is not None:
            fields = EphemeralPersona.model_fields
            conflicts = [name for name, field in fields.items() if getattr(self, name) != field.default]
            if conflicts:
                raise ValueError(
                    f"persona_id cannot be combined with {', '.join(conflicts)}: a saved persona already defines "
                    "them. Either pass persona_id alone, or leave it out and describe the persona with the other "
                    "arguments."
                )
        return self

    @property
    def mode(self) -> Literal["persona", "ephemeral"]:
        return "persona" if self.persona_id is not None else "ephemeral"

    def persona(self) -> EphemeralPersona:
        """The ephemeral persona these arguments describe."""
        given = set(EphemeralPersona.model_fields) & self.model_fields_set  # what the caller chose stays "chosen"
        return EphemeralPersona.model_validate(self.model_dump(include=given))

    def token_body(self, persona: EphemeralPersona | None) -> dict[str, Any]:
        """The JSON body for POST /v1/auth/session-token: the saved persona's id, or `persona` as sent."""
        config = {"personaId": str(self.persona_id)} if persona is None else persona.body()
        body: dict[str, Any] = {"personaConfig": config}
        if self.client_label is not None:
            body["clientLabel"] = self.client_label
        return body
