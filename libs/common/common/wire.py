"""How events sit in a stream entry, so that any Redis client can read and write them.

An event the services publish is one field, ``event``, holding the envelope as JSON. A unit
system posts one field, ``jws``, holding a compact JWS whose payload is the envelope, and reads
what became of its submissions on a stream of its own, ``nomination.outcomes.<unit>``.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "EVENT_FIELD",
    "ORIGINAL",
    "SIGNED_FIELD",
    "UNIT_OUTCOMES",
    "dead_letter_stream",
    "encode_entry",
    "entry_fields",
    "entry_id_of",
    "parse_entry_id",
    "sortable_entry_id",
    "unit_outcome_stream",
]

EVENT_FIELD = "event"
SIGNED_FIELD = "jws"
ORIGINAL = "original."  # a dead letter's copy of each field of the entry it keeps
UNIT_OUTCOMES = "nomination.outcomes.{unit}"  # one stream per unit; only that unit may read it


def encode_entry(envelope_json: str) -> dict[str, str]:
    return {EVENT_FIELD: envelope_json}


def entry_fields(raw: Mapping[bytes | str, bytes | str]) -> dict[str, bytes]:
    """Stream entry fields with text keys and byte values, whatever the client returned."""
    out: dict[str, bytes] = {}
    for key, value in raw.items():
        name = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
        out[name] = value.encode() if isinstance(value, str) else value
    return out


def dead_letter_stream(stream: str) -> str:
    """The dead-letter stream kept beside each input stream."""
    return f"{stream}.dead"


def unit_outcome_stream(unit_id: str) -> str:
    """The stream on which a unit system follows its own submissions."""
    return UNIT_OUTCOMES.format(unit=unit_id)


def parse_entry_id(entry_id: bytes | str) -> tuple[int, int]:
    """A stream entry id (``<ms>-<seq>``) as (milliseconds, sequence), which compare in id order."""
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    if not (ms.isdigit() and seq.isdigit()):
        raise ValueError(f"{text!r} is not a stream entry id")
    return int(ms), int(seq)


def sortable_entry_id(entry_id: bytes | str) -> str:
    """A stream entry id as fixed-width text, so that text order is id order (for a column)."""
    ms, seq = parse_entry_id(entry_id)
    return f"{ms:015d}-{seq:010d}"


def entry_id_of(sortable: str) -> str:
    """The stream entry id a ``sortable_entry_id`` stands for."""
    ms, _, seq = sortable.partition("-")
    return f"{int(ms)}-{int(seq)}"
