"""The demo's drawn posters. Pillow's default font has no accented letters (« é »
came out as an empty box), so the text is drawn with Bitstream Vera Sans Bold, the
font reportlab ships in its package (`reportlab/fonts/VeraBd.ttf`, licence
`bitstream-vera-license.txt` next to it): reportlab is a locked runtime dependency
(the statements' PDF), so the font is on every machine the app runs on, with no font
installed by hand. Vera covers Latin-1 and œ, Œ, Ÿ, €, « », ’: every French letter."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import reportlab
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf"
SIZE = (1200, 800)
FONT_SIZE = 64
LINE_CHARS = 28  # at 64 px, a line of Vera Bold stays inside the 1200 px poster


# French typography: no line starts with « : », « » », « ; », « ! », « ? » nor ends with
# « « » (the space next to them is a no-break space while wrapping: textwrap breaks only
# on ASCII spaces).
_UNBREAKABLE = re.compile(r" (?=[:;!?»])|(?<=«) ")


def font(size: int = FONT_SIZE) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size)


def lines(title: str) -> list[str]:
    """The title cut into the poster's lines, French punctuation kept with its word."""
    # Drawn as a plain space: Vera's U+00A0 is wider than its space.
    wrapped = textwrap.wrap(_UNBREAKABLE.sub("\u00a0", title), LINE_CHARS)
    return [line.replace("\u00a0", " ") for line in wrapped]


def poster(title: str, colour: tuple[int, int, int]) -> bytes:
    """A PNG poster: the title in white, wrapped and centred."""
    picture = Image.new("RGB", SIZE, colour)
    draw = ImageDraw.Draw(picture)
    text = "\n".join(lines(title))
    draw.multiline_text(
        (SIZE[0] // 2, SIZE[1] // 2),
        text,
        fill="white",
        font=font(),
        anchor="mm",
        align="center",
        spacing=16,
    )
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()
