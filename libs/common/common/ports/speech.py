"""Speech synthesis: text read aloud, for grassroots radio bulletins and podcasts."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from typing import Protocol

__all__ = ["FakeSpeech", "Speech", "SpeechSynthesizer"]


@dataclass(frozen=True)
class Speech:
    audio: bytes
    media_type: str  # "audio/wav", "audio/mpeg"
    seconds: float


class SpeechSynthesizer(Protocol):
    async def synthesize(self, text: str, *, voice: str) -> Speech:
        """``text`` (already normalised for reading aloud) spoken in ``voice``."""
        ...


class FakeSpeech:
    """Silence as long as a reader would take (about 15 characters a second), in a real WAV file."""

    RATE = 8000

    def __init__(self) -> None:
        self.spoken: list[tuple[str, str]] = []

    async def synthesize(self, text: str, *, voice: str) -> Speech:
        self.spoken.append((text, voice))
        seconds = max(0.5, len(text) / 15)
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.RATE)
            out.writeframes(b"\0\0" * int(self.RATE * seconds))
        return Speech(buffer.getvalue(), "audio/wav", round(seconds, 3))
