"""The shapes of values in Anam's records: ids are lowercase UUIDs, times ISO 8601 in UTC with milliseconds."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ISO = "%Y-%m-%dT%H:%M:%S.000Z"


def is_uuid(value: object) -> bool:
    return isinstance(value, str) and _UUID.match(value) is not None


def iso(moment: datetime) -> str:
    return moment.strftime(_ISO)


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, _ISO).replace(tzinfo=UTC)


def now_iso() -> str:
    return iso(datetime.now(UTC))


def random_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng`, so that a seed gives the same ids every time."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
