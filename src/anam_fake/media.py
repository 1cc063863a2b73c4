"""Pictures and sound the fake serves itself (public, like Anam's), so that a browser can show and play them."""

from __future__ import annotations

import functools
import hashlib
import io
import math
import wave
from typing import Any


def media(path: str) -> tuple[bytes, str] | None:
    """The body and content type of a media file the fake serves, or None."""
    name = path.rsplit("/", 1)[-1]
    if path.startswith("/media/avatars/") and name.endswith(".svg"):
        return avatar_svg(name.removesuffix(".svg")), "image/svg+xml"
    if path.startswith("/media/voices/") and name.endswith(".wav"):
        return tone_wav(), "audio/wav"
    return None


def point_media_at(base_url: str, avatars: list[dict[str, Any]], voices: list[dict[str, Any]]) -> None:
    """Point every avatar's image, and the sample of every voice that has one, at the fake serving them."""
    for avatar in avatars:
        avatar["imageUrl"] = f"{base_url}/media/avatars/{avatar['id']}.svg"
    for voice in voices:
        if voice.get("sampleUrl"):
            voice["sampleUrl"] = voice["previewSampleUrl"] = f"{base_url}/media/voices/{voice['id']}.wav"


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
