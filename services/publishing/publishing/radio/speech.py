"""The speech engine behind the ``SpeechSynthesizer`` port: espeak-ng's Vietnamese voice by default.

espeak-ng (Debian's package, installed by the project's setup) is intelligible and robotic; no
Vietnamese neural voice on PyPI ships its weights for an offline machine. Another engine plugs in
behind the same port (``RADIO_SPEECH_COMMAND``): any program that reads text on stdin and writes a
WAV file on stdout.
"""

from __future__ import annotations

import asyncio
import io
import shlex
import shutil
import wave
from collections.abc import Sequence

from common.ports.speech import Speech

__all__ = ["CommandSpeech", "SpeechFailed", "espeak_command", "wav_seconds"]


class SpeechFailed(RuntimeError):
    """The engine did not give audio: its message says why."""


def wav_seconds(audio: bytes) -> float:
    """How long a WAV file plays, from its bytes: a program writing to a pipe cannot go back to fill
    in the header's length (espeak-ng writes 0x7FFFFFFF there)."""
    with wave.open(io.BytesIO(audio)) as found:
        rate, width, channels = int(found.getframerate()), int(found.getsampwidth()), int(found.getnchannels())
    data = audio.find(b"data")
    samples = len(audio) - (data + 8 if data >= 0 else 44)
    return samples / (rate * width * channels)


def espeak_command(voice: str = "vi", words_per_minute: int = 145) -> list[str]:
    """espeak-ng reading stdin, writing a WAV file to stdout."""
    executable = shutil.which("espeak-ng") or "espeak-ng"
    return [executable, "-v", voice, "-s", str(words_per_minute), "--stdin", "--stdout"]


class CommandSpeech:
    """A speech engine run as a program: text on stdin, a WAV file on stdout."""

    def __init__(self, command: Sequence[str] | str, *, timeout: float = 300.0) -> None:
        self.command = shlex.split(command) if isinstance(command, str) else list(command)
        self.timeout = timeout

    async def synthesize(self, text: str, *, voice: str = "") -> Speech:
        try:
            process = await asyncio.create_subprocess_exec(
                *self.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except FileNotFoundError as missing:
            raise SpeechFailed(f"no speech engine {self.command[0]!r}: install espeak-ng") from missing
        try:
            audio, error = await asyncio.wait_for(process.communicate(text.encode()), self.timeout)
        except TimeoutError:
            process.kill()
            raise SpeechFailed(f"the speech engine took longer than {self.timeout:.0f} s") from None
        if process.returncode != 0 or not audio.startswith(b"RIFF"):
            raise SpeechFailed(
                f"the speech engine failed ({process.returncode}): {error.decode(errors='replace')[:500]}"
            )
        return Speech(audio=audio, media_type="audio/wav", seconds=round(wav_seconds(audio), 3))
