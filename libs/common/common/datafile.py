"""Data files the operator edits (TOML), checked on load with errors that name the line.

A model's validators name an item as ``[[section]] #3`` (``where``); the loader turns that into
``line 41, [[section]] #3`` by finding where the third ``[[section]]`` table starts in the text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

__all__ = ["DataFileError", "load_toml", "where"]

M = TypeVar("M", bound=BaseModel)


class DataFileError(ValueError):
    """The file cannot be used; the message says which file, where (line and table) and why."""


def where(section: str, index: int) -> str:
    """How a validator names the ``index``-th (0-based) table of ``[[section]]``."""
    return f"[[{section}]] #{index + 1}"


_HEADER = re.compile(r"^\s*\[\[\s*([a-z_.]+)\s*\]\]")
_PLACE = re.compile(r"\[\[([a-z_.]+)\]\] #(\d+)")


def _header_lines(text: str) -> dict[tuple[str, int], int]:
    """Where each ``[[section]]`` table starts: (section, 1-based index) → 1-based line."""
    counts: dict[str, int] = {}
    lines: dict[tuple[str, int], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if match:
            section = match.group(1)
            counts[section] = counts.get(section, 0) + 1
            lines[(section, counts[section])] = number
    return lines


def _with_lines(message: str, lines: dict[tuple[str, int], int]) -> str:
    def place(match: re.Match[str]) -> str:
        line = lines.get((match.group(1), int(match.group(2))))
        return f"line {line}, {match.group(0)}" if line else match.group(0)

    return _PLACE.sub(place, message)


def _problems(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        loc = list(item["loc"])
        place = ""
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            place = where(loc[0], loc[1]) + (": " + ".".join(str(p) for p in loc[2:]) if loc[2:] else "")
        elif loc:
            place = ".".join(str(p) for p in loc)
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{place}: {message}" if place else message)
    return problems


def load_toml(
    path: str | Path,
    model: type[M],
    *,
    what: str,
    body: Callable[[dict[str, Any]], dict[str, Any]] = lambda raw: raw,
    error: type[DataFileError] = DataFileError,
) -> M:
    """Read ``path`` as ``model`` (``body`` shapes the parsed TOML first), or raise ``error``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError as missing:
        raise error(f"{what} {path} does not exist") from missing
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as bad:
        raise error(f"{what} {path} is not valid TOML: {bad}") from bad
    try:
        return model.model_validate(body(raw))
    except ValidationError as invalid:
        lines = _header_lines(text)
        problems = [_with_lines(p, lines) for p in _problems(invalid)]
        raise error(f"{what} {path}: " + "; ".join(problems)) from invalid
