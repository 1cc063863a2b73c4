"""A faithful fake of the Anam REST API, served over real HTTP on 127.0.0.1.

It serves the endpoints anam-mcp uses (see ../shared/anam-api.md) from a generated catalogue that
looks like the real one: several pages of voices, more than one page of avatars, stock and custom
entries, nullable fields sometimes null and unknown extra fields. It checks the bearer key,
validates session-token bodies the way the API does, records every request, and can be scripted
to misbehave (latency, error statuses, HTML or broken bodies, hangs) for fault tests.

Run it by hand for a manual try-out with the MCP Inspector:

    python tests/fake_anam.py --port 8765 --key test-key
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import math
import random
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
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
    ) -> None:
        self.api_key = api_key
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
        self._faults: dict[str, deque[Fault]] = {}
        self._lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._hang = threading.Event()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeAnam:
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-anam", daemon=True)
        self._thread.start()
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

    # -- the API -------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        """The API's answer to a well-formed request: status, JSON body, extra headers."""
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


def _type_name(expected: type | tuple[type, ...]) -> str:
    return "number" if isinstance(expected, tuple) else expected.__name__


def _error(error: str, message: str) -> dict[str, str]:
    return {"error": error, "message": message}


def _jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.fake-signature"


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
            if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                self._json(401, _error("Unauthorized", "Invalid or missing API key"))
                return
            if method == "POST" and isinstance(body, str):
                self._json(400, _error("Invalid request body", "body is not JSON"))
                return
            fault = fake._next_fault(path)
            if fault is not None and fault.kind == "slow":
                fake._hang.wait(fault.seconds)
            elif fault is not None and fault.kind != "ok":
                self._misbehave(fault)
                return
            key = (path, tuple(sorted(query.items())))
            if method == "GET" and fake._page_cache is not None and key in fake._page_cache:
                self._raw(200, fake._page_cache[key], "application/json", {})
                return
            status, payload, headers = fake.handle(method, path, query, body)
            if method == "GET" and status == 200 and fake._page_cache is not None:
                fake._page_cache[key] = json.dumps(payload).encode()
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
                        time.sleep(0.2)
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
    args = parser.parse_args()
    fake = FakeAnam(api_key=args.key, latency=args.latency, port=args.port).start()
    print(f"Fake Anam API on {fake.url} (key {args.key!r}); Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    _main()
