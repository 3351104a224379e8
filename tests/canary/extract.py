"""What a response *contains*, as text: HTML and JSON as written, PDF text page by page, every xlsx cell, CSV."""

from __future__ import annotations

import html
import io
import re

SPACE = re.compile(r"\s+")


def pdf_text(data: bytes) -> str:
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    try:
        return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    parts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


def content_text(response) -> tuple[str, str]:
    """(kind, text without whitespace) — whitespace is dropped so a token a PDF wrapped is still one token."""
    ctype = response.get("Content-Type", "")
    data = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if "pdf" in ctype:
        kind, text = "pdf", pdf_text(data)
    elif "spreadsheetml" in ctype:
        kind, text = "xlsx", xlsx_text(data)
    else:
        kind, text = ("csv" if "csv" in ctype else "json" if "json" in ctype else "html"), html.unescape(
            data.decode("utf-8", errors="replace"))
    return kind, SPACE.sub("", text)
