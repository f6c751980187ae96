"""Generate EasyTV's artwork: resources/icon.png and resources/fanart.jpg.

The images are original, drawn from code so they can be rebuilt and changed
in review like any other source file:

- ``resources/icon.png``: 256x256 RGB PNG (no alpha; the add-on checker
  rejects transparent icons), a dark blue gradient tile with a stylised TV
  whose screen shows a "next" symbol (play triangle and bar), and "EasyTV".
- ``resources/fanart.jpg``: 1920x1080 JPEG with the same motif and a tagline.

Needs Pillow (a dev tool only, not an add-on dependency) and a DejaVu font
from /usr/share/fonts (falls back to Pillow's built-in font). Usage::

    python tools/make_assets.py [--out DIR]     # default: <repo>/resources
"""

import argparse
import os
import sys

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:  # pragma: no cover - dev tool guard
    sys.exit("make_assets.py needs Pillow: pip install Pillow")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCALE = 4  # supersampling factor for smooth edges

BG_TOP = (10, 24, 56)
BG_BOTTOM = (4, 10, 28)
SCREEN_TOP = (30, 110, 200)
SCREEN_BOTTOM = (16, 60, 140)
FRAME = (226, 236, 250)
ACCENT = (255, 184, 28)
TEXT = (240, 244, 252)
SUBTLE = (150, 170, 205)

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
)


def font(size):
    """Return a bold TrueType font of ``size`` px, or Pillow's default font."""
    for path in FONT_CANDIDATES:
        if os.path.isfile(path):
            return ImageFont.truetype(path, size)
    for root, _dirs, files in os.walk("/usr/share/fonts"):
        if "DejaVuSans-Bold.ttf" in files:
            return ImageFont.truetype(os.path.join(root, "DejaVuSans-Bold.ttf"), size)
    return ImageFont.load_default()


def gradient(size, top, bottom, diagonal=0.35):
    """Return an RGB image blending ``top`` to ``bottom`` down (and a bit across)."""
    width, height = size
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255.0
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    image = column.resize((width, height), Image.BILINEAR)
    if diagonal:
        # Darken towards the right edge for a soft diagonal light.
        shade = Image.linear_gradient("L").rotate(90, expand=True).resize((width, height))
        shade = shade.point(lambda v: int(v * diagonal))
        image = Image.composite(Image.new("RGB", (width, height), bottom), image, shade)
    return image


def draw_tv(image, box):
    """Draw the TV (antennas, frame, gradient screen, next symbol) inside ``box``."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    draw = ImageDraw.Draw(image)
    stroke = max(2, round(w * 0.045))

    # Antennas and their knobs.
    tv_top = y0 + round(h * 0.22)
    cx = x0 + w // 2
    for dx in (-0.2, 0.2):
        tip = (cx + round(w * dx), y0 + round(h * 0.02))
        draw.line([(cx, tv_top), tip], fill=FRAME, width=stroke)
        r = round(stroke * 0.9)
        draw.ellipse([tip[0] - r, tip[1] - r, tip[0] + r, tip[1] + r], fill=FRAME)

    # Body and screen.
    body = [x0, tv_top, x1, y0 + round(h * 0.9)]
    radius = round(w * 0.11)
    draw.rounded_rectangle(body, radius=radius, fill=FRAME)
    inset = round(w * 0.06)
    screen = [body[0] + inset, body[1] + inset, body[2] - inset, body[3] - inset]
    sw, sh = screen[2] - screen[0], screen[3] - screen[1]
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(screen, radius=round(radius * 0.6), fill=255)
    fill = gradient((sw, sh), SCREEN_TOP, SCREEN_BOTTOM, diagonal=0)
    layer = Image.new("RGB", image.size)
    layer.paste(fill, (screen[0], screen[1]))
    image.paste(layer, (0, 0), mask)

    # Feet.
    foot_w, foot_h = round(w * 0.1), round(h * 0.07)
    for fx in (x0 + round(w * 0.2), x1 - round(w * 0.2) - foot_w):
        draw.rounded_rectangle([fx, body[3] - foot_h // 2, fx + foot_w, body[3] + foot_h],
                               radius=foot_h // 2, fill=FRAME)

    # "Next" symbol: play triangle followed by a bar, centred on the screen.
    scx, scy = screen[0] + sw // 2, screen[1] + sh // 2
    tri_h = round(sh * 0.5)
    tri_w = round(tri_h * 0.87)
    bar_w = round(tri_w * 0.24)
    gap = round(tri_w * 0.12)
    total = tri_w + gap + bar_w
    left = scx - total // 2
    draw.polygon([(left, scy - tri_h // 2), (left, scy + tri_h // 2), (left + tri_w, scy)],
                 fill=ACCENT)
    bx = left + tri_w + gap
    draw.rounded_rectangle([bx, scy - tri_h // 2, bx + bar_w, scy + tri_h // 2],
                           radius=bar_w // 3, fill=ACCENT)


def centred_text(image, text, cy, size, fill):
    """Draw ``text`` horizontally centred with its vertical middle at ``cy``."""
    draw = ImageDraw.Draw(image)
    face = font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=face)
    x = (image.width - (right - left)) // 2 - left
    y = cy - (bottom - top) // 2 - top
    draw.text((x, y), text, font=face, fill=fill)


def make_icon(path):
    """Write the 256x256 icon PNG to ``path``."""
    size = 256 * SCALE
    image = gradient((size, size), BG_TOP, BG_BOTTOM)
    draw_tv(image, (round(size * 0.17), round(size * 0.08), round(size * 0.83), round(size * 0.68)))
    centred_text(image, "EasyTV", round(size * 0.83), round(size * 0.15), TEXT)
    image = image.resize((256, 256), Image.LANCZOS)
    image.save(path, "PNG", optimize=True)


def make_fanart(path):
    """Write the 1920x1080 fanart JPEG to ``path``."""
    width, height = 1920, 1080
    scale = 2
    image = gradient((width * scale, height * scale), BG_TOP, BG_BOTTOM, diagonal=0.5)
    tv_w = 560 * scale
    x0 = (width * scale - tv_w) // 2
    draw_tv(image, (x0, 150 * scale, x0 + tv_w, 150 * scale + round(tv_w * 0.9)))
    centred_text(image, "EasyTV", 820 * scale, 120 * scale, TEXT)
    centred_text(image, "Your next episode, on every screen", 930 * scale, 40 * scale, SUBTLE)
    image = image.resize((width, height), Image.LANCZOS)
    image.save(path, "JPEG", quality=85, optimize=True, progressive=True)


def main(argv=None):
    """Parse arguments and write both images."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO, "resources"),
                        help="output directory (default: %(default)s)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    for name, make in (("icon.png", make_icon), ("fanart.jpg", make_fanart)):
        path = os.path.join(args.out, name)
        make(path)
        print(f"{path}: {os.path.getsize(path) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
