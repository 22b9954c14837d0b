"""PDF rendering: decisions, certificates and leaflets from HTML."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["FakePdfRenderer", "Pdf", "PdfRenderer"]


@dataclass(frozen=True)
class Pdf:
    content: bytes
    pages: int


class PdfRenderer(Protocol):
    async def render(self, html: str) -> Pdf:
        """A PDF document of ``html`` (the page size and fonts its stylesheet names)."""
        ...


class FakePdfRenderer:
    """Keeps what it was asked to render and answers a minimal one-page PDF."""

    def __init__(self) -> None:
        self.rendered: list[str] = []

    async def render(self, html: str) -> Pdf:
        self.rendered.append(html)
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
        out = bytearray(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
        return Pdf(bytes(out), 1)
