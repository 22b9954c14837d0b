"""Where a benchmark's results go: its own section of docs/benchmarks.md, between two markers,
written anew at each run (or added at the end the first time)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_section"]


def write_section(path: Path, *, start: str, end: str, heading: str, results: str) -> None:
    text = path.read_text(encoding="utf-8")
    block = f"{start}\n{results.rstrip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n## {heading}\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
