"""Audio as radio takes it: speech made even in loudness, encoded as MP3 with ID3 tags in Vietnamese,
and joined into a rundown. ffmpeg does the sound; mutagen writes and reads the tags and lengths.

Every piece is encoded alike (22 050 Hz, mono, 64 kbit/s, loudness about −16 LUFS as broadcast
practice has it for speech), so a rundown is its bulletins' frames joined as they are, without
encoding them again: a 15-minute rundown of bulletins already rendered takes well under a second.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import COMM, ID3, TALB, TDRC, TIT2, TLAN, TPE1, TPUB
from mutagen.mp3 import MP3

__all__ = ["AudioFailed", "Tags", "encode", "join", "seconds_of", "silence", "tag"]

SAMPLE_RATE = 22_050
BITRATE = "64k"
LOUDNESS = "loudnorm=I=-16:TP=-1.5:LRA=11"


class AudioFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Tags:
    """What a player shows: in Vietnamese, NFC."""

    title: str
    artist: str  # who speaks: the commune's radio
    album: str  # the series: "Gương điển hình tiên tiến"
    publisher: str  # the agency
    date: str  # yyyy-mm-dd
    comment: str = ""


def _ffmpeg() -> str:
    return shutil.which("ffmpeg") or "ffmpeg"


async def _run(*args: str, stdin: bytes | None = None) -> bytes:
    try:
        process = await asyncio.create_subprocess_exec(
            _ffmpeg(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin" if stdin is None else "-y",
            *args,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except FileNotFoundError as missing:
        raise AudioFailed("ffmpeg is not installed") from missing
    out, error = await process.communicate(stdin)
    if process.returncode != 0:
        raise AudioFailed(f"ffmpeg failed ({process.returncode}): {error.decode(errors='replace')[:500]}")
    return out


async def encode(wav: bytes, target: Path, tags: Tags) -> float:
    """Speech (a WAV file) made even in loudness and written as a tagged MP3; its length in seconds."""
    partial = await asyncio.to_thread(_partial, target)
    await _run(
        "-f", "wav", "-i", "pipe:0", "-af", LOUDNESS, "-ar", str(SAMPLE_RATE), "-ac", "1", "-b:a", BITRATE,
        "-y", str(partial),
        stdin=wav,
    )  # fmt: skip
    return await asyncio.to_thread(_finish, partial, target, tags)


def _partial(target: Path) -> Path:
    """Where a file is written before it is put in place: its own name, so that two jobs making the
    same file at once (the closing words of two rundowns) never write into one another."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.with_name(f".{target.stem}.{uuid.uuid4().hex[:12]}.part.mp3")


def _finish(partial: Path, target: Path, tags: Tags | None) -> float:
    """Tag the file written aside, then put it in place at once (a reader never sees half a file)."""
    if tags is not None:
        tag(partial, tags)
    partial.replace(target)
    return seconds_of(target)


async def silence(target: Path, seconds: float) -> Path:
    """A pause between bulletins, encoded as they are (made once and kept)."""
    if not await asyncio.to_thread(target.exists):
        partial = await asyncio.to_thread(_partial, target)
        await _run(
            "-f", "lavfi", "-i", f"anullsrc=r={SAMPLE_RATE}:cl=mono", "-t", f"{seconds:.3f}",
            "-ar", str(SAMPLE_RATE), "-ac", "1", "-b:a", BITRATE, "-y", str(partial),
        )  # fmt: skip
        await asyncio.to_thread(_finish, partial, target, None)
    return target


async def join(parts: list[Path], target: Path, tags: Tags) -> float:
    """The parts one after another in one MP3 (frames copied, not encoded again); its length in seconds."""
    partial = await asyncio.to_thread(_partial, target)
    listing = await asyncio.to_thread(_listing, parts, target.parent)
    try:
        await _run(
            "-f", "concat", "-safe", "0", "-i", str(listing), "-map_metadata", "-1", "-c", "copy", "-y", str(partial)
        )  # fmt: skip
    finally:
        await asyncio.to_thread(listing.unlink, missing_ok=True)
    return await asyncio.to_thread(_finish, partial, target, tags)


def _listing(parts: list[Path], folder: Path) -> Path:
    """ffmpeg's concat list: one quoted absolute path a line."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=folder, delete=False) as listing:
        for part in parts:
            quoted = str(part.resolve()).replace("'", "'\\''")
            listing.write(f"file '{quoted}'\n")
    return Path(listing.name)


def tag(path: Path, tags: Tags) -> None:
    """ID3 v2.4 tags, UTF-8, in Vietnamese."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TPUB(encoding=3, text=tags.publisher))
    id3.add(TDRC(encoding=3, text=tags.date))
    id3.add(TLAN(encoding=3, text="vie"))
    if tags.comment:
        id3.add(COMM(encoding=3, lang="vie", desc="", text=tags.comment))
    id3.save(path, v2_version=4)


def seconds_of(path: Path) -> float:
    """How long the MP3 plays, from its frames."""
    info = MP3(path).info
    return round(float(getattr(info, "length", 0.0)), 3)
