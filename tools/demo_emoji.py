"""Render the demo catalog's pictures once from Noto Color Emoji (Debian's
fonts-noto-color-emoji, SIL OFL 1.1) into catalog/demo_photos/<codepoint>.png.

The PNGs are committed, so seeding needs neither the font nor this tool; run it again only to
add a picture: `apt-get install fonts-noto-color-emoji && python -m tools.demo_emoji`.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from catalog.demo import CATEGORY_EMOJI, PACKING_EMOJI, PHOTO_EMOJI

FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
#: The bitmap size the font carries (CBDT strikes are 136×128 at 109 px).
SIZE = 109
OUT = Path(__file__).resolve().parent.parent / "catalog" / "demo_photos"


def main() -> None:
    font = ImageFont.truetype(FONT, SIZE)
    codes = sorted({*PHOTO_EMOJI.values(), *PACKING_EMOJI.values(), *CATEGORY_EMOJI.values()})
    for code in codes:
        image = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
        ImageDraw.Draw(image).text((0, 0), chr(int(code, 16)), font=font, embedded_color=True)
        image = image.crop(image.getbbox())
        image.save(OUT / f"{code}.png", optimize=True)
        print(code, image.size)


if __name__ == "__main__":
    main()
