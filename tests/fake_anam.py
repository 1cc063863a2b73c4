"""A faithful fake of the Anam REST API, served over real HTTP on 127.0.0.1.

It serves the endpoints anam-mcp uses (see ../shared/anam-api.md) from a generated catalogue that
looks like the real one: several pages of voices, more than one page of avatars, stock and custom
entries, nullable fields sometimes null and unknown extra fields. It checks the bearer key,
validates session-token bodies the way the API does, records every request, and can be scripted
to misbehave (latency, error statuses, HTML or broken bodies, hangs) for fault tests.

It also keeps what is created through it: personas saved, changed and deleted, share links, and the
conversations people had (seeded, plus any a test records with `record_conversation`), so a test can
read back through the tools what it made, even across server processes.

Run it by hand for a manual try-out with the MCP Inspector:

    python tests/fake_anam.py --port 8765 --key test-key
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import hashlib
import io
import json
import math
import random
import re
import threading
import time
import uuid
import wave
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_KEY = "test-key-0123456789"

CARA_AVATAR_ID = "30fa96d0-26c4-4e55-94a0-517025942e18"
LIV_AVATAR_ID = "071b0286-4cce-4808-bee2-e642f1062de3"
CARA_VOICE_ID = "6bfbe25a-979d-40f3-a92b-5394170af54b"
LUCY_VOICE_ID = "de23e340-1416-4dd8-977d-065a7ca11697"
GPT4O_MINI_LLM_ID = "0934d97d-0c3a-4f33-91b0-5e136a0ef466"
GPT4O_LLM_ID = "a7cf662c-2ace-4de1-a21e-ef0fbf144bb7"

AVATAR_MODELS = ("cara-3", "cara-4", "cara-4-latest")
PROVIDERS = ("CARTESIA", "ELEVENLABS", "OPENAI_ADVANCED_VOICE", "FISH_AUDIO")
GENDERS = ("MALE", "FEMALE", "NEUTRAL")
COUNTRIES = ("GB", "US", "AU", "IE", "IN", "FR", "DE", "ES", "IT", "BR", "JP", "NG", "ZA", "CA")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# The personaConfig keys the session-token endpoint documents (ephemeral variant).
EPHEMERAL_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "avatarId": str,
    "avatarModel": str,
    "voiceId": str,
    "llmId": str,
    "systemPrompt": str,
    "maxSessionLengthSeconds": (int, float),
    "skipGreeting": bool,
    "uninterruptibleGreeting": bool,
    "initialMessage": str,
    "languageCode": str,
    "toolIds": list,
    "voiceDetectionOptions": dict,
    "voiceGenerationOptions": dict,
}

_FIRST = [
    "Cara",
    "Liv",
    "Leo",
    "Zoë",
    "Amélie",
    "Björn",
    "Chloé",
    "Dmitri",
    "Eva",
    "Farah",
    "Gabriel",
    "Hana",
    "Isaac",
    "Jasmine",
    "Kenji",
    "Lucía",
    "Mateo",
    "Nadia",
    "Oscar",
    "Priya",
    "Quinn",
    "Rafael",
    "Sofia",
    "Tomás",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zara",
    "Maya",
    "Noah",
    "Olivia",
    "Jules",
    "Renée",
]
_VARIANTS = ["home", "office", "window sofa corner", "studio", "garden", "kitchen", "library", "street"]
_STYLES = [
    "Fresh & Casual",
    "Warm Narrator",
    "Calm",
    "Energetic",
    "Professional",
    "Friendly",
    "Deep",
    "Soft",
    "Confident",
    "Playful",
    "Newsreader",
    "Storyteller",
]
_ACCENTS = {
    "GB": "British",
    "US": "American",
    "AU": "Australian",
    "IE": "Irish",
    "IN": "Indian",
    "FR": "French",
    "DE": "German",
    "ES": "Spanish",
    "IT": "Italian",
    "BR": "Brazilian",
    "JP": "Japanese",
    "NG": "Nigerian",
    "ZA": "South African",
    "CA": "Canadian",
}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _stamp(rng: random.Random) -> str:
    return f"2026-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00.000Z"


def make_avatars(count: int = 130, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    org = "org_" + "".join(rng.choice("abcdefghijklmnop0123456789") for _ in range(12))
    avatars: list[dict[str, Any]] = [
        _avatar(rng, CARA_AVATAR_ID, "Cara", "desk", None),
        _avatar(rng, LIV_AVATAR_ID, "Liv", "home", None),
    ]
    for i in range(count - len(avatars)):
        custom = rng.random() < 0.25
        avatars.append(
            _avatar(rng, _uuid(rng), _FIRST[i % len(_FIRST)], rng.choice(_VARIANTS), org if custom else None)
        )
    return avatars


def _avatar(rng: random.Random, id_: str, name: str, variant: str, org: str | None) -> dict[str, Any]:
    slug = name.lower()
    versions = rng.choice([["cara-3"], ["cara-3", "cara-4"], ["cara-4"]])
    return {
        "id": id_,
        "displayName": name,
        "variantName": variant,
        "imageUrl": f"https://lab.anam.ai/persona_thumbnails/{slug}_{variant.replace(' ', '_')}.png",
        "landscapeImageUrl": None,
        "portraitImageUrl": None,
        "videoUrl": None if rng.random() < 0.3 else f"https://cdn.example.test/{id_}.mp4?X-Amz-Signature=abc",
        "idleVideoUrl": None,
        "createdAt": _stamp(rng),
        "updatedAt": _stamp(rng),
        "createdByOrganizationId": org,
        "availableVersions": versions,
        "activeVersion": versions[0],
        "description": None if rng.random() < 0.3 else f"{name} in a {variant} setting, warm expression.",
        "displayTags": ["friendly"] if rng.random() < 0.5 else [],
        "renderStyle": "realistic" if org is None else "unknown",
        "futureField": {"added": "later"},  # the API grows: clients must ignore what they do not know
    }


def make_voices(count: int = 450, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    voices = [
        _voice(rng, CARA_VOICE_ID, "Cara", "FEMALE", "GB", "ELEVENLABS", None),
        _voice(rng, LUCY_VOICE_ID, "Lucy - Fresh & Casual", "FEMALE", "GB", "ELEVENLABS", None),
    ]
    for i in range(count - len(voices)):
        name = f"{_FIRST[i % len(_FIRST)]} - {rng.choice(_STYLES)}"
        gender = None if rng.random() < 0.05 else rng.choice(GENDERS)
        country = None if rng.random() < 0.05 else rng.choice(COUNTRIES)
        org = "org_custom" if rng.random() < 0.1 else None
        voices.append(_voice(rng, _uuid(rng), name, gender, country, rng.choice(PROVIDERS), org))
    return voices


def _voice(
    rng: random.Random, id_: str, name: str, gender: str | None, country: str | None, provider: str, org: str | None
) -> dict[str, Any]:
    accent = _ACCENTS.get(country or "", "neutral")
    sample = None if rng.random() < 0.1 else f"https://samples.example.test/{id_}.mp3"
    return {
        "id": id_,
        "displayName": name,
        "provider": provider,
        "providerVoiceId": None if rng.random() < 0.2 else f"pv_{rng.getrandbits(40):x}",
        "providerModelId": None if rng.random() < 0.5 else "eleven_flash_v2_5",
        "sampleUrl": sample,
        "previewSampleUrl": sample,
        "gender": gender,
        "country": country,
        "description": None
        if rng.random() < 0.1
        else f"{rng.choice(['Energetic', 'Calm', 'Warm', 'Crisp'])} {accent} voice for conversational agents.",
        "displayTags": rng.choice([[], ["fast"], ["expressive"]]),
        "isZdr": rng.random() < 0.5,
        "createdByOrganizationId": org,
        "createdAt": _stamp(rng),
        "updatedAt": _stamp(rng),
        "someNewField": 1,
    }


def make_llms() -> list[dict[str, Any]]:
    base: dict[str, Any] = {
        "llmFormat": "openai",
        "urls": [],
        "temperature": None,
        "maxTokens": None,
        "deploymentName": None,
        "apiVersion": None,
        "metadata": {},
        "displayTags": [],
        "isGlobal": True,
        "isZdr": False,
        "createdByOrganizationId": None,
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": None,
    }
    rows = [
        (GPT4O_MINI_LLM_ID, "GPT-4o mini", "gpt-4o-mini", "Fast, inexpensive OpenAI model.", True),
        (GPT4O_LLM_ID, "GPT-4o", "gpt-4o", "OpenAI's flagship multimodal model.", True),
        ("7736a22f-2d79-4720-952c-25fdca55ad40", "Kimi K2 Instruct", "kimi-k2-instruct-0905", None, True),
        ("1f8e3c0a-5d0b-4d7e-9f61-2b8c4e1a9d33", "Llama 3.3 70B", "llama-3.3-70b", "Open-weights model.", True),
        ("5b2d7e44-0c1f-4a3b-8e9d-6f7a8b9c0d1e", "My Azure GPT", "gpt-4o", "Our own deployment.", False),
    ]
    return [
        {**base, "id": i, "displayName": n, "modelName": m, "description": d, "isDefault": default}
        for i, n, m, d, default in rows
    ]


def make_personas(count: int = 25, seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "id": _uuid(rng),
            "name": f"{_FIRST[i % len(_FIRST)]} {rng.choice(['Support', 'Tutor', 'Concierge', 'Sales'])}",
            "description": "" if rng.random() < 0.3 else "A persona saved in Anam Lab.",
            "personaPreset": "",
            "avatar": {"id": CARA_AVATAR_ID, "displayName": "Cara"},
            "voice": {"id": CARA_VOICE_ID, "displayName": "Cara"},
            "voiceSpeed": None,
            "isDefaultPersona": False,
            "languageCode": rng.choice(["en", "fr", "inherit"]),
            "createdAt": _stamp(rng),
            "updatedAt": _stamp(rng),
        }
        for i in range(count)
    ]


# The body fields POST /v1/personas documents; PUT /v1/personas/{id} takes the same plus widgetConfig.
PERSONA_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "description": str,
    "avatarId": str,
    "avatarModel": str,
    "voiceId": str,
    "llmId": str,
    "systemPrompt": str,
    "skipGreeting": bool,
    "uninterruptibleGreeting": bool,
    "initialMessage": str,
    "zeroDataRetention": bool,
    "voiceDetectionOptions": dict,
    "languageCode": str,
    "voiceGenerationOptions": dict,
    "toolIds": list,
}
SHARE_LINK_KEYS: dict[str, type | tuple[type, ...]] = {
    "personaId": str,
    "expiresInHours": (int, float),
    "usageLimit": (int, float),
}
_NULLABLE = {"initialMessage"}
_OPENERS = ["Hi! I'm your guide today. What would you like to see?", "Hello, how can I help?"]
_QUESTIONS = ["Where are the mummies?", "How old is this statue?", "Can you speak more slowly?", "Thanks, bye!"]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def make_session(
    session_id: str, persona: dict[str, Any] | None, started: datetime, seconds: float, label: str | None
) -> dict[str, Any]:
    """A session record as GET /v1/sessions lists it."""
    return {
        "id": session_id,
        "personaId": persona["id"] if persona else None,
        "clientLabel": label,
        "startTime": iso(started),
        "endTime": iso(started + timedelta(seconds=seconds)),
        "sessionLengthMs": int(seconds * 1000),
        "exitStatus": "NORMAL_EXIT",
        "engineHost": "connect-eu.anam.ai/v1/webrtc/engines/anam-engine-fake",
        "engineProtocol": "https",
        "engineVersion": "v5.1.0",
        "clientMetadata": {"userAgent": "Mozilla/5.0"},
        "personaConfig": {
            "type": "persona" if persona else "ephemeral",
            "name": persona["name"] if persona else "Cara",
        },
        "apiKeyId": "00000000-0000-4000-8000-000000000001",
        "organizationId": "org_fake",
        "createdAt": iso(started),
        "updatedAt": iso(started + timedelta(seconds=seconds)),
    }


def make_transcript(session: dict[str, Any], persona_name: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    """The transcript of `session`: (role, text) pairs, said two seconds apart, text under "message"."""
    started = datetime.strptime(session["startTime"], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
    messages: list[dict[str, Any]] = []
    for i, (role, text) in enumerate(lines):
        message: dict[str, Any] = {
            "role": role,
            "message": text,
            "timestamp": iso(started + timedelta(seconds=2 * i + 1)),
            "speakingDurationSeconds": 1.5,
        }
        if role == "persona":
            message["wasInterrupted"] = False
        messages.append(message)
    return {
        "sessionId": session["id"],
        "personaName": persona_name,
        "startTime": session["startTime"],
        "endTime": session["endTime"],
        "durationMs": session["sessionLengthMs"],
        "totalMessages": len(messages),
        "transcriptsEnabled": True,
        "messages": messages,
    }


def make_sessions(
    personas: list[dict[str, Any]], now: datetime, count: int = 12, seed: int = 13
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Sessions (newest first) and their transcripts, by session id.

    Among them: every third one with an ephemeral persona; the second newest with transcripts turned off;
    the third a long conversation (250 messages); the fourth and fifth with the text under "content" and
    "text" instead of "message", as older answers had it.
    """
    rng = random.Random(seed)
    sessions: list[dict[str, Any]] = []
    transcripts: dict[str, dict[str, Any]] = {}
    for i in range(count):
        persona = None if i % 3 == 2 else personas[i % 4]
        length = 250 if i == 2 else rng.randint(3, 8)
        started = now - timedelta(hours=3 * i + 1)
        session = make_session(_uuid(rng), persona, started, 2.0 * length + 5, rng.choice([None, "docs-demo"]))
        lines = [
            ("persona" if n % 2 == 0 else "user", rng.choice(_QUESTIONS if n % 2 else _OPENERS)) for n in range(length)
        ]
        transcript = make_transcript(session, persona["name"] if persona else "Cara", lines)
        if i == 1:
            transcript |= {"transcriptsEnabled": False, "totalMessages": 0, "messages": []}
        for position, key in ((3, "content"), (4, "text")):
            if i == position:
                for message in transcript["messages"]:
                    message[key] = message.pop("message")
        sessions.append(session)
        transcripts[session["id"]] = transcript
    return sessions, transcripts


def _field_problems(obj: dict[str, Any], keys: dict[str, type | tuple[type, ...]], where: str) -> list[str]:
    problems: list[str] = []
    for key, value in obj.items():
        expected = keys.get(key)
        if expected is None:
            problems.append(f"{where}unknown field {key}")
        elif value is None:
            if key not in _NULLABLE:
                problems.append(f"{where}{key}: expected {_type_name(expected)}, received null")
        elif not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            problems.append(f"{where}{key}: expected {_type_name(expected)}")
    return problems


def validate_persona_body(body: Any, *, update: bool = False) -> list[str]:
    """What the API would reject in a POST /v1/personas body, or a PUT /v1/personas/{id} one with `update`."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    keys = {**PERSONA_KEYS, "widgetConfig": dict} if update else PERSONA_KEYS
    problems = _field_problems(body, keys, "")
    if "avatarModel" in body and body["avatarModel"] not in AVATAR_MODELS:
        problems.append(f"avatarModel must be one of {', '.join(AVATAR_MODELS)}")
    for key in ("avatarId", "voiceId"):
        if isinstance(body.get(key), str) and not _UUID.match(body[key]):
            problems.append(f"{key} must be a UUID")
    return problems


def validate_share_link_body(body: Any) -> list[str]:
    """What the API would reject in a POST /v1/share-links body."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = _field_problems(body, SHARE_LINK_KEYS, "")
    if not isinstance(body.get("personaId"), str) or not _UUID.match(body["personaId"]):
        problems.append("personaId is required and must be a UUID")
    for key in ("expiresInHours", "usageLimit"):
        value = body.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            problems.append(f"{key} must be positive")
    return problems


@dataclass
class Fault:
    """One scripted misbehaviour, consumed by the next matching request.

    kind: "status" (status + JSON body), "html", "invalid_json", "truncated", "huge", "hang", "drip",
    "ok" (answer normally: lets a script say "fail twice, then succeed"), "slow" (wait `seconds`, then
    answer normally), "raw" (status + `body` as the exact bytes sent).
    """

    kind: str = "status"
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


class FakeAnam:
    """The fake API. Use as a context manager; `url` is its base URL once started."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_KEY,
        latency: float = 0.0,
        avatars: list[dict[str, Any]] | None = None,
        voices: list[dict[str, Any]] | None = None,
        llms: list[dict[str, Any]] | None = None,
        personas: list[dict[str, Any]] | None = None,
        port: int = 0,
        entitled_to_latest: bool = False,
        cache_pages: bool = False,
        serve_media: bool = False,
    ) -> None:
        self.api_key = api_key
        # For the views' browser tests: imageUrl and sampleUrl point at this fake, which serves them.
        self.serve_media = serve_media
        # For benchmarks: encode each list page once, so the fake adds only its injected latency.
        # Only for catalogues nobody changes after start.
        self._page_cache: dict[tuple[str, tuple[tuple[str, str], ...]], bytes] | None = {} if cache_pages else None
        self.latency = latency
        self.entitled_to_latest = entitled_to_latest
        self.catalogues = {
            "/v1/avatars": avatars if avatars is not None else make_avatars(),
            "/v1/voices": voices if voices is not None else make_voices(),
            "/v1/llms": llms if llms is not None else make_llms(),
            "/v1/personas": personas if personas is not None else make_personas(),
        }
        # Per list path: what a page's real `meta` is turned into before it is sent (to fake a lying API).
        self.meta_for: dict[str, Callable[[dict[str, Any]], Any]] = {}
        self.requests: list[RecordedRequest] = []
        self.tokens_issued = 0
        # What the persona lifecycle keeps: the full records behind the persona list, share links, and
        # sessions (newest first) with their transcripts.
        self.persona_details: dict[str, dict[str, Any]] = {}
        self.share_links: list[dict[str, Any]] = []
        self.catalogues["/v1/sessions"], self.transcripts = make_sessions(
            self.catalogues["/v1/personas"], datetime.now(UTC)
        )
        self._faults: dict[str, deque[Fault]] = {}
        self._lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._hang = threading.Event()
        # Other Anam accounts served here, by key (see add_account).
        self.accounts: dict[str, FakeAnam] = {}

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeAnam:
        self._server = _Server(("127.0.0.1", self._port), _handler_for(self))
        self._server.daemon_threads = True
        # stop() waits up to one poll interval for the loop to notice: keep it short, tests start hundreds of fakes.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), name="fake-anam", daemon=True)
        self._thread.start()
        if self.serve_media:
            self._point_media_here()
        return self

    def stop(self) -> None:
        self._hang.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeAnam:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- other accounts --------------------------------------------------------------------------

    def add_account(self, api_key: str, seed: int = 1) -> FakeAnam:
        """Another Anam account, reached with its own key: the same stock avatars and voices, but custom ones,
        personas and sessions of its own (from `seed`). It is served here; script faults on it directly."""
        avatars = [a for a in self.catalogues["/v1/avatars"] if a["createdByOrganizationId"] is None]
        voices = [v for v in self.catalogues["/v1/voices"] if v["createdByOrganizationId"] is None]
        custom_avatars = [a for a in make_avatars(40, seed=seed + 100) if a["createdByOrganizationId"]]
        custom_voices = [v for v in make_voices(60, seed=seed + 200) if v["createdByOrganizationId"]]
        personas = make_personas(10, seed=seed + 300)
        for persona in personas:
            persona["name"] = f"{persona['name']} ({api_key[:6]})"
        account = FakeAnam(
            api_key=api_key,
            avatars=avatars + custom_avatars,
            voices=voices + custom_voices,
            personas=personas,
            entitled_to_latest=self.entitled_to_latest,
        )
        account.catalogues["/v1/sessions"], account.transcripts = make_sessions(
            personas, datetime.now(UTC), seed=seed + 400
        )
        with self._lock:
            self.accounts[api_key] = account
        return account

    def account_for(self, authorization: str | None) -> FakeAnam | None:
        """The account an Authorization header opens: this one, one added with add_account, or none."""
        if authorization == f"Bearer {self.api_key}":
            return self
        return next((a for key, a in self.accounts.items() if authorization == f"Bearer {key}"), None)

    # -- scripting and inspection --------------------------------------------------------------

    def script(self, path: str, *faults: Fault) -> None:
        """Queue misbehaviours for requests whose path starts with `path` (e.g. "/v1/voices")."""
        with self._lock:
            self._faults.setdefault(path, deque()).extend(faults)

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self.max_in_flight = 0

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            for prefix, queue in self._faults.items():
                if path.startswith(prefix) and queue:
                    return queue.popleft()
        return None

    def _point_media_here(self) -> None:
        for avatar in self.catalogues["/v1/avatars"]:
            avatar["imageUrl"] = f"{self.url}/media/avatars/{avatar['id']}.svg"
        for voice in self.catalogues["/v1/voices"]:
            if voice.get("sampleUrl"):
                voice["sampleUrl"] = voice["previewSampleUrl"] = f"{self.url}/media/voices/{voice['id']}.wav"

    # -- the API -------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        """The API's answer to a well-formed request: status, JSON body, extra headers."""
        lifecycle = self._lifecycle(method, path, body)
        if lifecycle is not None:
            return lifecycle
        if method == "GET" and path in self.catalogues:
            return self._list(path, query)
        if method == "GET":
            for base, items in self.catalogues.items():
                if path.startswith(base + "/"):
                    wanted = path[len(base) + 1 :]
                    if not _UUID.match(wanted):
                        return 400, _error("Bad request", "Invalid ID"), {}
                    for item in items:
                        if item["id"] == wanted:
                            return 200, item, {}
                    return 404, _error("Not found", f"No resource with id {wanted}"), {}
        if method == "POST" and path == "/v1/auth/session-token":
            return self._session_token(body)
        return 404, _error("Not found", f"Cannot {method} {path}"), {}

    def _list(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        try:
            page = int(query.get("page", "1"))
            per_page = int(query.get("perPage", "10"))
        except ValueError:
            return 400, _error("Validation error", "page and perPage must be integers"), {}
        if page < 1 or not 1 <= per_page <= 100:
            return 400, _error("Validation error", "page must be >= 1 and perPage between 1 and 100"), {}
        items = self.catalogues[path]
        if path == "/v1/llms" and query.get("includeDefaults") != "true":
            items = [i for i in items if not i.get("isDefault")]
        if "personaId" in query:
            if not _UUID.match(query["personaId"]):
                return 400, _error("Validation error", "personaId must be a UUID"), {}
            items = [i for i in items if i.get("personaId") == query["personaId"]]
        if search := query.get("search"):
            key = "name" if path == "/v1/personas" else "displayName"
            items = [i for i in items if search.lower() in str(i.get(key, "")).lower()]
        total = len(items)
        last = max(1, math.ceil(total / per_page))
        data = items[(page - 1) * per_page : page * per_page]
        meta = {
            "total": total,
            "lastPage": last,
            "currentPage": page,
            "perPage": per_page,
            "prev": page - 1 if page > 1 else None,
            "next": page + 1 if page < last else None,
        }
        if path in self.meta_for:
            return 200, {"data": data, "meta": self.meta_for[path](meta)}, {}
        return 200, {"data": data, "meta": meta}, {}

    def _session_token(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        problems = validate_session_body(body)
        if problems:
            return 400, _error("Invalid request body", "; ".join(problems)), {}
        config = body["personaConfig"]
        if "personaId" in config:
            known = {p["id"] for p in self.catalogues["/v1/personas"]}
            if config["personaId"] not in known:
                return 404, _error("Not found", "Persona not found"), {}
        else:
            if config.get("avatarModel") == "cara-4-latest" and not self.entitled_to_latest:
                return 403, _error("Forbidden", "Organization is not entitled to avatar model cara-4-latest"), {}
            for key, base in (("avatarId", "/v1/avatars"), ("voiceId", "/v1/voices")):
                if key in config and config[key] not in {i["id"] for i in self.catalogues[base]}:
                    return 404, _error("Not found", f"{key} {config[key]} not found"), {}
        with self._lock:
            self.tokens_issued += 1
            serial = self.tokens_issued
        return 200, {"sessionToken": _jwt({"sessionId": str(uuid.UUID(int=serial)), "n": serial})}, {}

    # -- the persona lifecycle -------------------------------------------------------------------

    def record_conversation(
        self, persona_id: str, lines: list[tuple[str, str]], label: str | None = "share-link"
    ) -> str:
        """Someone talked to the persona (through a share link, say): a new newest session with this transcript."""
        persona = next(p for p in self.catalogues["/v1/personas"] if p["id"] == persona_id)
        session = make_session(str(uuid.uuid4()), persona, datetime.now(UTC), 2.0 * len(lines) + 5, label)
        with self._lock:
            self.catalogues["/v1/sessions"].insert(0, session)
            self.transcripts[session["id"]] = make_transcript(session, persona["name"], lines)
        return str(session["id"])

    def _lifecycle(self, method: str, path: str, body: Any) -> tuple[int, Any, dict[str, str]] | None:
        """Personas saved, read, changed and deleted; share links; transcripts. None for other requests."""
        if method == "POST" and path == "/v1/personas":
            return self._save_persona(body)
        if method == "POST" and path == "/v1/share-links":
            return self._create_share_link(body)
        persona = re.fullmatch(r"/v1/personas/([^/]+)", path)
        if persona and method in ("GET", "PUT", "DELETE"):
            return self._persona(method, persona.group(1), body)
        transcript = re.fullmatch(r"/v1/sessions/([^/]+)/transcript", path)
        if transcript and method == "GET":
            wanted = transcript.group(1)
            if not _UUID.match(wanted):
                return 400, _error("Bad request", "Invalid session ID"), {}
            if wanted not in self.transcripts:
                return 404, _error("Not found", "Session not found or no transcript available"), {}
            return 200, self.transcripts[wanted], {}
        return None

    def _detail(self, summary: dict[str, Any]) -> dict[str, Any]:
        """The full persona record (GET /v1/personas/{id}) behind a list entry."""
        return {**summary, **self._extras(summary)}

    def _extras(self, summary: dict[str, Any]) -> dict[str, Any]:
        """What the full record adds to a list entry (stock values for the seeded personas)."""
        return self.persona_details.setdefault(
            summary["id"],
            {
                "avatarModel": "cara-3",
                "llmId": GPT4O_MINI_LLM_ID,
                "brain": {"personality": None, "systemPrompt": "You are a helpful assistant."},
                "tools": [],
                "knowledge": [],
                "shareLinks": None,
                "primaryShareLink": None,
                "enableAudioPassthrough": False,
                "skipGreeting": False,
                "zeroDataRetention": False,
                "voiceDetectionOptions": None,
                "voiceGenerationOptions": None,
                "widgetConfig": {},
            },
        )

    def _apply(self, summary: dict[str, Any], body: dict[str, Any]) -> tuple[int, Any, dict[str, str]] | None:
        """Check the references in a persona body and write its fields; an error answer if one is unknown."""
        avatars = {a["id"]: a for a in self.catalogues["/v1/avatars"]}
        voices = {v["id"]: v for v in self.catalogues["/v1/voices"]}
        llms = {m["id"] for m in self.catalogues["/v1/llms"]}
        if "avatarId" in body and body["avatarId"] not in avatars:
            return 400, _error("Bad request", f"Avatar {body['avatarId']} not found"), {}
        if "voiceId" in body and body["voiceId"] not in voices:
            return 400, _error("Bad request", f"Voice {body['voiceId']} not found"), {}
        if _UUID.match(body.get("llmId", "")) and body["llmId"] not in llms:
            return 400, _error("Bad request", f"LLM {body['llmId']} not found"), {}
        extras = self._extras(summary)
        avatar = avatars.get(body.get("avatarId") or (summary.get("avatar") or {}).get("id", ""))
        model = body.get("avatarModel", extras["avatarModel"])
        if avatar is not None and model not in avatar["availableVersions"]:
            if "avatarModel" in body:
                return 400, _error("Bad request", f"avatarModel {model} is not supported by this avatar"), {}
            body = {**body, "avatarModel": avatar["availableVersions"][0]}  # a new avatar resets the model
        for key, value in body.items():
            if key == "avatarId":
                summary["avatar"] = avatars[value]
            elif key == "voiceId":
                summary["voice"] = voices[value]
            elif key in ("name", "description", "languageCode"):
                summary[key] = value
            elif key == "systemPrompt":
                extras["brain"] = {**extras["brain"], "systemPrompt": value}
            else:
                extras[key] = value
        summary["updatedAt"] = iso(datetime.now(UTC))
        return None

    def _save_persona(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        problems = validate_persona_body(body)
        if problems:
            return 400, _error("Invalid persona data", "; ".join(problems)), {}
        now = iso(datetime.now(UTC))
        summary: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "name": "",
            "description": "",
            "personaPreset": "",
            "avatar": None,
            "voice": None,
            "voiceSpeed": None,
            "isDefaultPersona": False,
            "languageCode": "inherit",
            "createdAt": now,
            "updatedAt": now,
        }
        failed = self._apply(summary, body)
        if failed is not None:
            self.persona_details.pop(summary["id"], None)
            return failed
        with self._lock:
            self.catalogues["/v1/personas"].append(summary)
        return 201, self._detail(summary), {}

    def _persona(self, method: str, wanted: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        if not _UUID.match(wanted):
            return 400, _error("Bad request", "Invalid ID"), {}
        summary = next((p for p in self.catalogues["/v1/personas"] if p["id"] == wanted), None)
        if summary is None:
            return 404, _error("Not found", "Persona not found"), {}
        if method == "DELETE":
            with self._lock:
                self.catalogues["/v1/personas"].remove(summary)
                self.persona_details.pop(wanted, None)
            return 200, {"message": "Persona deleted"}, {}
        if method == "PUT":
            problems = validate_persona_body(body, update=True)
            if problems:
                return 400, _error("Invalid persona data", "; ".join(problems)), {}
            failed = self._apply(summary, body)
            if failed is not None:
                return failed
        return 200, self._detail(summary), {}

    def _create_share_link(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        problems = validate_share_link_body(body)
        if problems:
            return 400, _error("Invalid share link data", "; ".join(problems)), {}
        summary = next((p for p in self.catalogues["/v1/personas"] if p["id"] == body["personaId"]), None)
        if summary is None:
            return 404, _error("Not found", "Persona not found"), {}
        extras = self._extras(summary)
        now = datetime.now(UTC)
        link = {
            "id": str(uuid.uuid4()),
            "token": "sh_" + uuid.uuid4().hex[:22],
            "type": "LINK",
            "expiresAt": iso(now + timedelta(hours=body.get("expiresInHours", 168))),
            "usageLimit": int(body.get("usageLimit", 10)),
            "usageCount": 0,
            "allowedOrigins": [],
            "allowAllOrigins": False,
            "removeWatermark": False,
            "enabled": True,
            "isPrimary": not extras["shareLinks"],
            "createdAt": iso(now),
        }
        with self._lock:
            self.share_links.append({**link, "personaId": summary["id"]})
            extras["shareLinks"] = [*(extras["shareLinks"] or []), link]
            if link["isPrimary"]:
                extras["primaryShareLink"] = {"token": link["token"], "enabled": True}
        return 201, link, {}


def validate_session_body(body: Any) -> list[str]:
    """What the API would reject in a session-token body (an empty list when it is fine)."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = [f"unknown field {k}" for k in body if k not in {"personaConfig", "clientLabel", "sessionOptions"}]
    if "clientLabel" in body and not isinstance(body["clientLabel"], str):
        problems.append("clientLabel must be a string")
    config = body.get("personaConfig")
    if not isinstance(config, dict):
        return [*problems, "personaConfig must be an object"]
    if "personaId" in config:
        if set(config) != {"personaId"}:
            problems.append("personaConfig: personaId cannot be combined with other fields")
        if not isinstance(config["personaId"], str):
            problems.append("personaConfig.personaId must be a string")
        return problems
    for key, value in config.items():
        expected = EPHEMERAL_KEYS.get(key)
        if expected is None:
            problems.append(f"personaConfig: unknown field {key}")
        elif value is None:
            problems.append(f"personaConfig.{key}: expected {_type_name(expected)}, received null")
        elif not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            problems.append(f"personaConfig.{key}: expected {_type_name(expected)}")
    if "avatarModel" in config and config["avatarModel"] not in AVATAR_MODELS:
        problems.append(f"personaConfig.avatarModel must be one of {', '.join(AVATAR_MODELS)}")
    length = config.get("maxSessionLengthSeconds")
    if isinstance(length, int | float) and not isinstance(length, bool) and length <= 0:
        problems.append("personaConfig.maxSessionLengthSeconds must be positive")
    for key in ("avatarId", "voiceId"):
        if isinstance(config.get(key), str) and not _UUID.match(config[key]):
            problems.append(f"personaConfig.{key} must be a UUID")
    if "voiceId" not in config:
        problems.append("personaConfig.voiceId is required for an ephemeral persona")
    return problems


def media(path: str) -> tuple[bytes, str] | None:
    """The body and content type of a media file the fake serves (public, like Anam's), or None."""
    name = path.rsplit("/", 1)[-1]
    if path.startswith("/media/avatars/") and name.endswith(".svg"):
        return avatar_svg(name.removesuffix(".svg")), "image/svg+xml"
    if path.startswith("/media/voices/") and name.endswith(".wav"):
        return tone_wav(), "audio/wav"
    return None


def avatar_svg(seed: str) -> bytes:
    """A small portrait-like picture (head and shoulders), its colour drawn from `seed`."""
    hue = int(hashlib.sha256(seed.encode()).hexdigest()[:6], 16) % 360
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">'
        f'<rect width="240" height="240" fill="hsl({hue},45%,80%)"/>'
        f'<circle cx="120" cy="98" r="44" fill="hsl({hue},30%,40%)"/>'
        f'<path d="M36 240c0-52 38-84 84-84s84 32 84 84z" fill="hsl({hue},30%,40%)"/></svg>'
    ).encode()


@functools.cache
def tone_wav(seconds: float = 1.0, rate: int = 8000, hertz: float = 440.0) -> bytes:
    """A short sine tone as a 16-bit mono WAV: a voice sample a browser can really play."""
    samples = (int(6000 * math.sin(2 * math.pi * hertz * i / rate)) for i in range(int(seconds * rate)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(s.to_bytes(2, "little", signed=True) for s in samples))
    return buffer.getvalue()


def _type_name(expected: type | tuple[type, ...]) -> str:
    return "number" if isinstance(expected, tuple) else expected.__name__


def _error(error: str, message: str) -> dict[str, str]:
    return {"error": error, "message": message}


def _jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.fake-signature"


class _Server(ThreadingHTTPServer):
    # A hundred clients connecting at once (tests of the shared connection pool) queue, rather than have their
    # connection attempts dropped and retried a second later.
    request_queue_size = 256


def _handler_for(fake: FakeAnam) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the real API
        # Headers and body go out in separate writes: with Nagle on, the body would wait for a
        # delayed ACK (40 ms on Linux) and the fake would add latency of its own.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: tests read stderr of the server, not of the fake

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            split = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with fake._lock:
                fake.requests.append(RecordedRequest(method, split.path, query, dict(self.headers.items()), body))
                fake._in_flight += 1
                fake.max_in_flight = max(fake.max_in_flight, fake._in_flight)
            try:
                if fake.latency:
                    time.sleep(fake.latency)
                self._answer(method, split.path, query, body, raw)
            finally:
                with fake._lock:
                    fake._in_flight -= 1

        def _answer(self, method: str, path: str, query: dict[str, str], body: Any, raw: bytes) -> None:
            served = media(path) if fake.serve_media and method == "GET" else None
            if served is not None:
                self._raw(200, served[0], served[1], {})
                return
            account = fake.account_for(self.headers.get("Authorization"))
            if account is None:
                self._json(401, _error("Unauthorized", "Invalid or missing API key"))
                return
            if method in ("POST", "PUT") and isinstance(body, str):
                self._json(400, _error("Invalid request body", "body is not JSON"))
                return
            fault = account._next_fault(path)
            if fault is not None and fault.kind == "slow":
                fake._hang.wait(fault.seconds)
            elif fault is not None and fault.kind != "ok":
                self._misbehave(fault)
                return
            key = (path, tuple(sorted(query.items())))
            if method == "GET" and account._page_cache is not None and key in account._page_cache:
                self._raw(200, account._page_cache[key], "application/json", {})
                return
            status, payload, headers = account.handle(method, path, query, body)
            if method == "GET" and status == 200 and account._page_cache is not None:
                account._page_cache[key] = json.dumps(payload).encode()
            self._json(status, payload, headers)

        def _misbehave(self, fault: Fault) -> None:
            if fault.kind == "status":
                body = fault.body if fault.body is not None else _error("Error", "fault")
                self._json(fault.status, body, fault.headers)
            elif fault.kind == "html":
                page = b"<html><body><h1>502 Bad Gateway</h1><p>cloudflare</p></body></html>"
                self._raw(fault.status, page, "text/html", fault.headers)
            elif fault.kind == "invalid_json":
                self._raw(200, b'{"data": [ {"id": "x"', "application/json", fault.headers)
            elif fault.kind == "truncated":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "5000")
                self.end_headers()
                self.wfile.write(b'{"data": [')
                self.wfile.flush()
                self.close_connection = True
            elif fault.kind == "huge":
                size = int(fault.seconds or 64 * 1024 * 1024)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                chunk = b" " * 65536
                try:
                    for _ in range(size // len(chunk)):
                        self.wfile.write(chunk)
                except OSError:
                    pass
                self.close_connection = True
            elif fault.kind == "raw":
                self._raw(fault.status, fault.body, "application/json", fault.headers)
            elif fault.kind == "hang":
                fake._hang.wait(fault.seconds or 60)
                self.close_connection = True
            elif fault.kind == "drip":
                # A body that trickles in byte by byte: each read is quick, the whole never ends in time.
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                deadline = time.monotonic() + (fault.seconds or 60)
                try:
                    while time.monotonic() < deadline and not fake._hang.is_set():
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(0.05)
                except OSError:
                    pass
                self.close_connection = True

        def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            self._raw(status, json.dumps(payload).encode(), "application/json", headers or {})

        def _raw(self, status: int, data: bytes, content_type: str, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client may have given up already
                self.wfile.write(data)

    return Handler


def _main() -> None:
    parser = argparse.ArgumentParser(description="Run the fake Anam API on 127.0.0.1 until interrupted.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--key", default=DEFAULT_KEY, help="the API key the fake accepts")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--serve-media", action="store_true", help="serve avatar images and voice samples too")
    args = parser.parse_args()
    fake = FakeAnam(api_key=args.key, latency=args.latency, port=args.port, serve_media=args.serve_media).start()
    print(f"Fake Anam API on {fake.url} (key {args.key!r}); Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    _main()
