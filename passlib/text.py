"""Text as it may enter and leave passlib: one place for control characters.

What people type goes through these where it enters (every form, `passlib/forms.py`),
and what is already stored goes through them where it leaves as a header or a file
cell (e-mail subjects, exports). NUL is left to Django's own validator, which refuses
it with a French message.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators; NUL apart.
_LINE_BREAKING = re.compile(r"[\x01-\x1f\x7f-\x9f\u2028\u2029]+")
_CONTROL_IN_TEXT = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]+")


def clean_line(value: str) -> str:
    """One line: every control character and line break becomes one space."""
    return _LINE_BREAKING.sub(" ", value)


def clean_text(value: str) -> str:
    """Several lines: line breaks become \\n, tabs stay, other controls go."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    return _CONTROL_IN_TEXT.sub("", value.replace("\u2029", "\n\n"))


def printable(value: str) -> str:
    """Stored text made safe for a file cell or a header (NUL and controls removed)."""
    return _ANY_CONTROL.sub("", value)
