"""Picture renderer: drawn street-style people wearing garments of known class, box and colour.

A picture is fully described by a :class:`PictureSpec` (size, seed, and the garments each person
wears); the renderer picks the geometry (positions, scales, poses, background, lighting) from the
spec's seed, so a picture is the same whichever process renders it. Garments are class-specific
silhouettes drawn in a fixed layer order (legs, bottoms, shoes, top/dress, belt, outer, scarf/tie,
sunglasses, headwear, bag), so later layers occlude earlier ones; the box of a garment is the tight
box of its *visible* pixels, taken from a label map drawn alongside the picture.
"""

from __future__ import annotations

import colorsys
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from trendminer.vision.classes import MODANET_CLASSES, MULTICOLOUR

RENDERER_VERSION = 3

# ModaNet's 13 classes, in ModaNet's category order (COCO category id = index + 1).
CLASSES: tuple[str, ...] = MODANET_CLASSES

# GeoStyle's colour names and the sRGB each is rendered around (before a small jitter).
COLOURS: dict[str, tuple[int, int, int]] = {
    "Black": (28, 28, 30),
    "White": (238, 238, 234),
    "Gray": (128, 128, 128),
    "Red": (200, 30, 35),
    "Pink": (240, 140, 185),
    "Orange": (240, 130, 25),
    "Yellow": (240, 215, 40),
    "Green": (40, 150, 60),
    "Blue": (35, 70, 195),
    "Cyan": (30, 190, 215),
    "Purple": (125, 50, 165),
    "Brown": (115, 72, 38),
}
COLOUR_NAMES: tuple[str, ...] = (*COLOURS, MULTICOLOUR)

_MIN_VISIBLE_PIXELS = 30
_SKIN = ((241, 200, 170), (224, 172, 130), (198, 134, 90), (141, 85, 54), (92, 56, 38))
_HAIR = ((20, 16, 14), (60, 38, 24), (110, 72, 40), (196, 160, 100))

Point = tuple[float, float]
RGB = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Garment:
    """A garment a person wears: one of :data:`CLASSES` and one of :data:`COLOUR_NAMES`."""

    class_name: str
    colour: str


@dataclass(frozen=True, slots=True)
class PictureSpec:
    """What to draw: ``people`` (each a tuple of garments), the size in pixels and the seed."""

    width: int
    height: int
    seed: int
    people: tuple[tuple[Garment, ...], ...]


@dataclass(frozen=True, slots=True)
class Box:
    """A visible garment: x in ``[x1, x2)``, y in ``[y1, y2)``, visible pixels ``area``."""

    class_name: str
    colour: str
    x1: int
    y1: int
    x2: int
    y2: int
    area: int
    person: int


class _Canvas:
    """The picture and its label map, drawn together (label 0 = not a garment)."""

    def __init__(self, image: Image.Image) -> None:
        self.image = image
        self.labels = Image.new("L", image.size, 0)
        self.draw = ImageDraw.Draw(image)
        self.label_draw = ImageDraw.Draw(self.labels)

    def polygon(self, points: Sequence[Point], fill: RGB, label: int) -> None:
        self.draw.polygon(list(points), fill=fill, outline=_shade(fill, 0.72))
        self.label_draw.polygon(list(points), fill=label, outline=label)

    def ellipse(self, box: Sequence[float], fill: RGB, label: int) -> None:
        self.draw.ellipse(list(box), fill=fill, outline=_shade(fill, 0.72))
        self.label_draw.ellipse(list(box), fill=label, outline=label)

    def line(self, points: Sequence[Point], fill: RGB, width: int, label: int) -> None:
        self.draw.line(list(points), fill=fill, width=width, joint="curve")
        self.label_draw.line(list(points), fill=label, width=width, joint="curve")


class _Person:
    """Body geometry of one person in picture pixels; ``p(u, v)`` maps body units to pixels."""

    def __init__(self, rng: np.random.Generator, cx: float, top: float, height: float) -> None:
        self.cx, self.top, self.h = cx, top, height
        self.shoulder = float(rng.uniform(0.105, 0.125))
        self.waist = float(rng.uniform(0.075, 0.092))
        self.hip = float(rng.uniform(0.09, 0.108))
        self.arm_out = float(rng.uniform(0.015, 0.075))
        self.spread = float(rng.uniform(0.0, 0.045))
        self.skin = _SKIN[int(rng.integers(len(_SKIN)))]
        self.hair = _HAIR[int(rng.integers(len(_HAIR)))]
        self.long_hair = bool(rng.random() < 0.45)

    def p(self, u: float, v: float) -> Point:
        return (self.cx + u * self.h, self.top + v * self.h)

    def box(self, u1: float, v1: float, u2: float, v2: float) -> list[float]:
        (x1, y1), (x2, y2) = self.p(u1, v1), self.p(u2, v2)
        return [min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]

    def px(self, units: float) -> int:
        return max(1, round(units * self.h))

    def arm(self, side: int, frac: float) -> tuple[Point, Point]:
        """Shoulder point and the point ``frac`` of the way to the hand (side -1 left, +1 right)."""
        su, sv = side * (self.shoulder - 0.015), 0.195
        hu, hv = side * (self.shoulder + self.arm_out), 0.53
        return (su, sv), (su + (hu - su) * frac, sv + (hv - sv) * frac)

    def leg(self, side: int, v: float) -> tuple[float, float]:
        """Centre u and half-width of a leg at height v (hip 0.5 → ankle 0.95)."""
        t = min(max((v - 0.5) / 0.45, 0.0), 1.0)
        centre = side * (0.048 + self.spread * t)
        return centre, 0.05 - 0.022 * t


def _shade(rgb: RGB, factor: float) -> RGB:
    return (int(rgb[0] * factor), int(rgb[1] * factor), int(rgb[2] * factor))


def _jittered(name: str, rng: np.random.Generator) -> RGB:
    """The named colour with a small jitter in hue, saturation and value that keeps its name."""
    r, g, b = (c / 255 for c in COLOURS[name])
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    h = (h + rng.uniform(-0.012, 0.012)) % 1.0
    s = min(1.0, s * rng.uniform(0.9, 1.06)) if s > 0.15 else s * rng.uniform(0.0, 1.0)
    v = min(1.0, v * rng.uniform(0.9, 1.06))
    out = colorsys.hsv_to_rgb(h, s, v)
    return (round(out[0] * 255), round(out[1] * 255), round(out[2] * 255))


def _quad(a: Point, b: Point, half_width: float) -> list[Point]:
    """A band of ``half_width`` (body units) around the segment a→b (body units)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    norm = max((dx * dx + dy * dy) ** 0.5, 1e-6)
    nx, ny = -dy / norm * half_width, dx / norm * half_width
    return [
        (a[0] + nx, a[1] + ny),
        (b[0] + nx, b[1] + ny),
        (b[0] - nx, b[1] - ny),
        (a[0] - nx, a[1] - ny),
    ]


class _GarmentPainter:
    """Draws one person's garments; each method takes the fill colour, label and the rng."""

    def __init__(self, canvas: _Canvas, person: _Person, rng: np.random.Generator) -> None:
        self.c, self.q, self.rng = canvas, person, rng

    def poly(self, units: Sequence[Point], fill: RGB, label: int) -> None:
        self.c.polygon([self.q.p(u, v) for u, v in units], fill, label)

    def top(self, fill: RGB, label: int) -> None:
        q = self.q
        hem = float(self.rng.uniform(0.46, 0.5))
        sleeve = float(self.rng.uniform(0.25, 0.42))
        for side in (-1, 1):
            a, b = q.arm(side, sleeve)
            self.poly(_quad(a, b, 0.036), fill, label)
        self.poly(
            [
                (-q.shoulder, 0.18),
                (q.shoulder, 0.18),
                (q.waist + 0.014, hem),
                (-q.waist - 0.014, hem),
            ],
            fill,
            label,
        )
        self.c.ellipse(q.box(-0.035, 0.155, 0.035, 0.205), q.skin, 0)

    def dress(self, fill: RGB, label: int) -> None:
        q = self.q
        hem = float(self.rng.uniform(0.68, 0.84))
        flare = float(self.rng.uniform(0.12, 0.18))
        for side in (-1, 1):
            self.c.line([q.p(side * 0.055, 0.19), q.p(side * 0.06, 0.26)], fill, q.px(0.014), label)
        self.poly(
            [
                (-q.waist - 0.02, 0.25),
                (q.waist + 0.02, 0.25),
                (q.waist + 0.004, 0.44),
                (flare, hem),
                (-flare, hem),
                (-q.waist - 0.004, 0.44),
            ],
            fill,
            label,
        )

    def outer(self, fill: RGB, label: int) -> None:
        q = self.q
        hem = float(self.rng.uniform(0.56, 0.7))
        gap = 0.0 if self.rng.random() < 0.3 else float(self.rng.uniform(0.022, 0.04))
        for side in (-1, 1):
            # Starting the sleeve above the shoulder hides the corners of a top's sleeve.
            (_, a), (_, b) = q.arm(side, -0.1), q.arm(side, 0.93)
            self.poly(_quad(a, b, 0.04), fill, label)
            self.poly(
                [
                    (side * (q.shoulder + 0.012), 0.17),
                    (side * max(gap, 0.03), 0.165),
                    (side * gap, 0.24),
                    (side * gap, hem),
                    (side * (q.hip + 0.03), hem),
                    (side * (q.waist + 0.03), 0.42),
                ],
                fill,
                label,
            )
            self.poly(
                [(side * 0.04, 0.175), (side * (gap + 0.005), 0.3), (side * 0.07, 0.23)],
                _shade(fill, 0.86),
                label,
            )

    def pants(self, fill: RGB, label: int) -> None:
        self._legwear(fill, label, float(self.rng.uniform(0.93, 0.96)), 0.012)

    def shorts(self, fill: RGB, label: int) -> None:
        self._legwear(fill, label, float(self.rng.uniform(0.6, 0.67)), 0.022)

    def _legwear(self, fill: RGB, label: int, bottom: float, extra: float) -> None:
        q = self.q
        self.poly(
            [(-q.hip, 0.44), (q.hip, 0.44), (q.hip + 0.004, 0.56), (-q.hip - 0.004, 0.56)],
            fill,
            label,
        )
        for side in (-1, 1):
            cu, hw = q.leg(side, 0.52)
            bu, bw = q.leg(side, bottom)
            self.poly(
                [
                    (cu - hw - extra, 0.52),
                    (cu + hw + extra, 0.52),
                    (bu + bw + extra, bottom),
                    (bu - bw - extra, bottom),
                ],
                fill,
                label,
            )

    def skirt(self, fill: RGB, label: int) -> None:
        q = self.q
        hem = float(self.rng.uniform(0.63, 0.78))
        flare = float(self.rng.uniform(0.125, 0.175))
        self.poly(
            [(-q.waist - 0.008, 0.44), (q.waist + 0.008, 0.44), (flare, hem), (-flare, hem)],
            fill,
            label,
        )

    def boots(self, fill: RGB, label: int) -> None:
        q = self.q
        shaft = float(self.rng.uniform(0.76, 0.84))
        for side in (-1, 1):
            su, sw = q.leg(side, shaft)
            au, aw = q.leg(side, 0.95)
            self.poly(
                [
                    (su - sw - 0.01, shaft),
                    (su + sw + 0.01, shaft),
                    (au + aw + 0.008, 0.955),
                    (au + side * 0.05, 0.965),
                    (au + side * 0.052, 0.995),
                    (au - side * 0.03, 0.995),
                    (au - aw - 0.008, 0.955),
                ],
                fill,
                label,
            )

    def footwear(self, fill: RGB, label: int) -> None:
        q = self.q
        for side in (-1, 1):
            au, aw = q.leg(side, 0.95)
            self.poly(
                [
                    (au - side * (aw + 0.01), 0.94),
                    (au + side * (aw + 0.006), 0.94),
                    (au + side * 0.058, 0.965),
                    (au + side * 0.06, 0.995),
                    (au - side * 0.032, 0.995),
                ],
                fill,
                label,
            )

    def belt(self, fill: RGB, label: int) -> None:
        q = self.q
        top = float(self.rng.uniform(0.43, 0.455))
        self.poly(
            [
                (-q.waist - 0.02, top),
                (q.waist + 0.02, top),
                (q.waist + 0.022, top + 0.028),
                (-q.waist - 0.022, top + 0.028),
            ],
            fill,
            label,
        )
        buckle = _shade(fill, 0.6) if sum(fill) > 200 else _shade((200, 200, 190), 1.0)
        self.c.draw.rectangle(
            q.box(-0.014, top + 0.004, 0.014, top + 0.024),
            outline=buckle,
            width=max(1, q.px(0.004)),
        )

    def sunglasses(self, fill: RGB, label: int) -> None:
        q = self.q
        for side in (-1, 1):
            self.c.ellipse(q.box(side * 0.004, 0.058, side * 0.062, 0.098), fill, label)
        self.c.line([q.p(-0.01, 0.07), q.p(0.01, 0.07)], fill, q.px(0.008), label)

    def headwear(self, fill: RGB, label: int) -> None:
        q = self.q
        style = int(self.rng.integers(3))
        if style == 0:  # brimmed hat
            self.c.ellipse(q.box(-0.11, 0.0, 0.11, 0.045), fill, label)
            self.poly([(-0.06, 0.025), (-0.052, -0.05), (0.052, -0.05), (0.06, 0.025)], fill, label)
        elif style == 1:  # beanie
            self.c.ellipse(q.box(-0.07, -0.03, 0.07, 0.09), fill, label)
            self.poly(
                [(-0.074, 0.03), (0.074, 0.03), (0.074, 0.062), (-0.074, 0.062)],
                _shade(fill, 0.85),
                label,
            )
        else:  # cap with a visor
            side = 1 if self.rng.random() < 0.5 else -1
            self.c.ellipse(q.box(-0.068, -0.02, 0.068, 0.1), fill, label)
            self.poly(
                [
                    (side * 0.02, 0.03),
                    (side * 0.13, 0.04),
                    (side * 0.12, 0.06),
                    (side * 0.02, 0.055),
                ],
                fill,
                label,
            )

    def scarf_tie(self, fill: RGB, label: int) -> None:
        if self.rng.random() < 0.55:  # scarf: a band around the neck and a hanging end
            self.poly([(-0.06, 0.15), (0.06, 0.15), (0.065, 0.205), (-0.065, 0.205)], fill, label)
            side = 1 if self.rng.random() < 0.5 else -1
            end = float(self.rng.uniform(0.34, 0.42))
            self.poly(
                [
                    (side * 0.01, 0.19),
                    (side * 0.055, 0.19),
                    (side * 0.06, end),
                    (side * 0.015, end),
                ],
                fill,
                label,
            )
        else:  # tie: a knot and a long blade
            end = float(self.rng.uniform(0.38, 0.43))
            self.poly([(-0.018, 0.18), (0.018, 0.18), (0.012, 0.21), (-0.012, 0.21)], fill, label)
            self.poly(
                [
                    (-0.012, 0.21),
                    (0.012, 0.21),
                    (0.03, end - 0.03),
                    (0.0, end),
                    (-0.03, end - 0.03),
                ],
                fill,
                label,
            )

    def bag(self, fill: RGB, label: int) -> None:
        q = self.q
        w = float(self.rng.uniform(0.1, 0.16))
        h = float(self.rng.uniform(0.08, 0.12))
        where = self.rng.random()
        if where < 0.6:  # hanging from a hand
            side = 1 if self.rng.random() < 0.5 else -1
            _, (hu, hv) = q.arm(side, 1.0)
            cu, top = hu + side * w * 0.2, hv + 0.03
        else:  # held in front of the body
            cu, top = float(self.rng.uniform(-0.06, 0.06)), float(self.rng.uniform(0.36, 0.5))
        self.c.line(
            [
                q.p(cu - w * 0.3, top + 0.005),
                q.p(cu - w * 0.2, top - 0.035),
                q.p(cu + w * 0.2, top - 0.035),
                q.p(cu + w * 0.3, top + 0.005),
            ],
            fill,
            q.px(0.012),
            label,
        )
        self.poly(
            [
                (cu - w / 2, top),
                (cu + w / 2, top),
                (cu + w / 2 + 0.01, top + h),
                (cu - w / 2 - 0.01, top + h),
            ],
            fill,
            label,
        )


# Back-to-front layer order: what is drawn later occludes what was drawn before.
_LAYERS: tuple[str, ...] = (
    "pants",
    "shorts",
    "skirt",
    "boots",
    "footwear",
    "top",
    "dress",
    "belt",
    "outer",
    "scarf/tie",
    "sunglasses",
    "headwear",
    "bag",
)


def _paint_body(canvas: _Canvas, q: _Person) -> None:
    """Skin and hair (label 0): legs, arms, neck, head."""
    for side in (-1, 1):
        cu, hw = q.leg(side, 0.5)
        au, aw = q.leg(side, 0.96)
        canvas.polygon(
            [q.p(cu - hw, 0.48), q.p(cu + hw, 0.48), q.p(au + aw, 0.96), q.p(au - aw, 0.96)],
            q.skin,
            0,
        )
        a, b = q.arm(side, 1.0)
        canvas.polygon([q.p(u, v) for u, v in _quad(a, b, 0.024)], q.skin, 0)
        canvas.ellipse(q.box(b[0] - 0.022, b[1] - 0.02, b[0] + 0.022, b[1] + 0.025), q.skin, 0)
    canvas.polygon(
        [q.p(-q.shoulder, 0.18), q.p(q.shoulder, 0.18), q.p(q.waist, 0.46), q.p(-q.waist, 0.46)],
        q.skin,
        0,
    )
    canvas.polygon(
        [q.p(-0.025, 0.12), q.p(0.025, 0.12), q.p(0.028, 0.19), q.p(-0.028, 0.19)], q.skin, 0
    )
    if q.long_hair:
        canvas.polygon(
            [q.p(-0.07, 0.06), q.p(0.07, 0.06), q.p(0.08, 0.24), q.p(-0.08, 0.24)], q.hair, 0
        )
    canvas.ellipse(q.box(-0.062, 0.0, 0.062, 0.16), q.skin, 0)
    canvas.ellipse(q.box(-0.064, -0.006, 0.064, 0.07), q.hair, 0)
    canvas.ellipse(q.box(-0.052, 0.035, 0.052, 0.1), q.skin, 0)


def _background(width: int, height: int, rng: np.random.Generator) -> Image.Image:
    """A muted street, studio, park or indoor scene."""
    hue = rng.random()

    def muted(sat_max: float, v_lo: float, v_hi: float) -> RGB:
        r, g, b = colorsys.hsv_to_rgb(
            (hue + rng.uniform(-0.15, 0.15)) % 1, rng.uniform(0, sat_max), rng.uniform(v_lo, v_hi)
        )
        return (int(r * 255), int(g * 255), int(b * 255))

    ramp = np.linspace(0.0, 1.0, height)[:, None, None]
    column = np.array(muted(0.3, 0.55, 0.95)) * (1 - ramp) + np.array(muted(0.3, 0.35, 0.8)) * ramp
    image = Image.fromarray(column.astype(np.uint8), "RGB")
    image = image.resize((width, height), Image.Resampling.NEAREST)
    horizon = int(height * rng.uniform(0.55, 0.85))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, horizon, width, height], fill=muted(0.25, 0.3, 0.75))
    for _ in range(int(rng.integers(0, 6))):
        x = int(rng.integers(-width // 4, width))
        w = int(rng.integers(width // 10, width // 2))
        y = int(rng.integers(0, horizon))
        fill = muted(0.3, 0.3, 0.9)
        draw.rectangle([x, y, x + w, horizon], fill=fill)
        for _ in range(int(rng.integers(0, 5))):
            wx, wy = (
                x + int(rng.integers(0, max(1, w))),
                y + int(rng.integers(0, max(1, horizon - y))),
            )
            draw.rectangle([wx, wy, wx + width // 30, wy + height // 25], fill=_shade(fill, 0.75))
    return image


def _place(
    count: int, width: int, height: int, rng: np.random.Generator
) -> list[tuple[float, float, float]]:
    """(centre x, top y, height) per person, back to front."""
    main = height * float(rng.uniform(0.62, 0.94))
    places = []
    for i in range(count):
        h = main if i == count - 1 else main * float(rng.uniform(0.72, 0.95))
        top = float(
            rng.uniform(
                max(0.01 * height, height - h * 1.02 - 0.08 * height),
                max(0.02 * height, height - h * 0.99),
            )
        )
        if count == 1:
            cx = width * float(rng.uniform(0.32, 0.68))
        else:
            slot = (i + 0.5) / count
            cx = width * float(np.clip(slot + rng.uniform(-0.12, 0.12), 0.15, 0.85))
        places.append((cx, top, h))
    return sorted(places, key=lambda p: p[2])


def _pattern(width: int, height: int, rng: np.random.Generator, unit: int) -> Image.Image:
    """Stripes or checks of two or three different colours ('More than 1 color')."""
    names = rng.choice(len(COLOURS), size=int(rng.integers(2, 4)), replace=False)
    palette = np.array([_jittered(list(COLOURS)[int(n)], rng) for n in names], np.uint8)
    ys, xs = np.mgrid[0:height, 0:width]
    step = max(2, unit)
    kind = int(rng.integers(3))
    if kind == 0:
        index = ys // step
    elif kind == 1:
        index = (xs + ys) // step
    else:
        index = xs // step + ys // step
    return Image.fromarray(palette[index % len(palette)], "RGB")


def _paint_person(
    canvas: _Canvas,
    person: _Person,
    garments: Sequence[Garment],
    first_label: int,
    rng: np.random.Generator,
) -> list[tuple[int, Garment]]:
    """Draws body and garments; returns (label, garment) for each garment drawn."""
    _paint_body(canvas, person)
    painter = _GarmentPainter(canvas, person, rng)
    drawn = []
    label = first_label
    for class_name in _LAYERS:
        for garment in (g for g in garments if g.class_name == class_name):
            if garment.colour == MULTICOLOUR:
                _paint_multicolour(canvas, class_name, label, person, rng)
            else:
                _method(painter, class_name)(_jittered(garment.colour, rng), label)
            drawn.append((label, garment))
            label += 1
    return drawn


def _method(painter: _GarmentPainter, class_name: str) -> Callable[[RGB, int], None]:
    method: Callable[[RGB, int], None] = getattr(painter, class_name.replace("/", "_"))
    return method


def _paint_multicolour(
    canvas: _Canvas, class_name: str, label: int, person: _Person, rng: np.random.Generator
) -> None:
    """Draws the garment's shape into a scratch mask, then pastes a pattern through it."""
    scratch = _Canvas(Image.new("RGB", canvas.image.size))
    _method(_GarmentPainter(scratch, person, rng), class_name)((255, 255, 255), 255)
    unit = person.px(float(rng.uniform(0.018, 0.035)))
    bbox = scratch.labels.getbbox()
    if bbox is None:
        return
    mask = scratch.labels.crop(bbox)
    canvas.image.paste(_pattern(*mask.size, rng, unit), bbox[:2], mask=mask)
    canvas.labels.paste(label, bbox, mask=mask)


@cache
def _noise_tile() -> Image.Image:
    """A fixed tile of grey sensor noise around 8 (0..16), cropped at random offsets."""
    noise = np.random.default_rng(0).normal(8.0, 2.5, size=(512, 512))
    return Image.fromarray(np.clip(noise, 0, 16).astype(np.uint8), "L").convert("RGB")


def _lighting(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A mild global brightness and tint change plus sensor noise (hues keep their names)."""
    gain = rng.uniform(0.9, 1.08) * rng.uniform(0.97, 1.03, size=3)
    table = np.minimum(255, np.arange(256)[None, :] * gain[:, None]).astype(np.uint8)
    lit = image.point(table.ravel().tolist())
    width, height = image.size
    ox, oy = (int(v) for v in rng.integers(0, 512 - max(width, height), size=2))
    noise = _noise_tile().crop((ox, oy, ox + width, oy + height))
    return ImageChops.add(lit, noise, scale=1.0, offset=-8)


def draw_picture(spec: PictureSpec) -> tuple[Image.Image, list[Box]]:
    """Renders ``spec``; returns the RGB picture and the visible garments' boxes."""
    rng = np.random.default_rng(spec.seed)
    canvas = _Canvas(_background(spec.width, spec.height, rng))
    drawn: list[tuple[int, int, Garment]] = []
    places = _place(len(spec.people), spec.width, spec.height, rng)
    order = sorted(range(len(spec.people)), key=lambda i: places[i][2])
    for person_index, (cx, top, h) in zip(order, places, strict=True):
        person = _Person(rng, cx, top, h)
        for label, garment in _paint_person(
            canvas, person, spec.people[person_index], len(drawn) + 1, rng
        ):
            drawn.append((label, person_index, garment))
    labels = np.asarray(canvas.labels)
    boxes = []
    for label, person_index, garment in drawn:
        mask = labels == label
        area = int(mask.sum())
        if area < _MIN_VISIBLE_PIXELS:
            continue
        rows = np.flatnonzero(mask.any(axis=1))
        cols = np.flatnonzero(mask.any(axis=0))
        boxes.append(
            Box(
                garment.class_name,
                garment.colour,
                int(cols[0]),
                int(rows[0]),
                int(cols[-1]) + 1,
                int(rows[-1]) + 1,
                area,
                person_index,
            )
        )
    return _lighting(canvas.image, rng), boxes


def render_picture(spec: PictureSpec, path: Path, *, quality: int = 85) -> list[Box]:
    """Renders ``spec`` to a JPEG at ``path``; returns the visible garments' boxes."""
    image, boxes = draw_picture(spec)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    path.write_bytes(buffer.getvalue())
    return boxes
