"""What every PDF of passlib shares (reportlab): an A4 document with its title and
author, paragraphs whose text is escaped and cleaned of control characters, and the
style of a table with a header row (and a total row). The statements' justificatifs
(finance/documents.py) and the activity reports (reporting/documents.py) use it."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle

from passlib.text import printable

STYLES = getSampleStyleSheet()


def document(buffer, *, title: str, margin_mm: float = 18) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="passlib — pass Culture",
        leftMargin=margin_mm * mm,
        rightMargin=margin_mm * mm,
    )


def whole(text: str) -> str:
    """Text kept on one line when a paragraph wraps (a statement number with its « n° »,
    a masked IBAN with its last digits): its spaces made non-breaking. Hyphens do not
    break a word in reportlab, and no number is long enough to be split."""
    return text.replace(" ", "\u00a0")


def paragraph(text: str, style: str = "Normal") -> Paragraph:
    """Text as typed by people (a title, a name): escaped for reportlab's markup."""
    return Paragraph(escape(printable(text)), STYLES[style])


def table_style(*, total_row: bool = False, font_size: float | None = None) -> TableStyle:
    commands = [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if total_row:
        commands += [
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
        ]
    if font_size:
        commands.append(("FONTSIZE", (0, 0), (-1, -1), font_size))
    return TableStyle(commands)
