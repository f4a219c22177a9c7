"""Draw the site's icons (the 议 mark on the site's red) as PNG and ICO files.

Run once after changing the mark: `.venv/bin/python scripts/make_icons.py`. The files are
committed, so a server needs neither this script nor a Chinese font.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RED = "#b4232a"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
OUT = Path(__file__).resolve().parent.parent / "yishi" / "static" / "yishi"


def mark(size: int, square: bool = False, glyph_ratio: float = 0.72) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if square:
        # Phones (iOS, Android launchers) cut their own rounded shape from a full square.
        draw.rectangle((0, 0, size, size), fill=RED)
    else:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=RED)
    glyph = int(size * glyph_ratio)
    # Index 2 of the collection is Simplified Chinese.
    font = ImageFont.truetype(FONT, glyph, index=2)
    draw.text((size / 2, size / 2), "议", font=font, fill="white", anchor="mm")
    return image


def main() -> None:
    for size in (192, 512):
        mark(size).save(OUT / f"icon-{size}.png", optimize=True)
    mark(180, square=True, glyph_ratio=0.62).save(OUT / "apple-touch-icon.png", optimize=True)
    # A maskable icon keeps its mark inside the middle 80 %, the part every launcher shows.
    mark(512, square=True, glyph_ratio=0.5).save(OUT / "icon-maskable-512.png", optimize=True)
    mark(256).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
