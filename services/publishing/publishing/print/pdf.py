"""The ``PdfRenderer`` port, by WeasyPrint: HTML and its stylesheet to a PDF with its fonts embedded.

WeasyPrint lays Vietnamese out right with Debian's Pango; Liberation Serif (fonts-liberation2) has
the metrics of Times New Roman, which Decree 30/2020/NĐ-CP prescribes for documents.
"""

from __future__ import annotations

import asyncio
import unicodedata

from common.ports.pdf import Pdf

__all__ = ["WeasyPrintRenderer"]


class WeasyPrintRenderer:
    async def render(self, html: str) -> Pdf:
        """A PDF of ``html`` (NFC first: the renderer places the marks of decomposed letters badly)."""
        return await asyncio.to_thread(_render, unicodedata.normalize("NFC", html))


def _render(html: str) -> Pdf:
    from weasyprint import HTML  # heavy: loaded when a leaflet is first made, not at start

    document = HTML(string=html).render()
    content: bytes = document.write_pdf()
    return Pdf(content, len(document.pages))
