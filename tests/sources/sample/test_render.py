"""The renderer: deterministic, boxes inside and tight, the box's dominant colour is the name."""

from __future__ import annotations

import numpy as np

from trendminer.sources.sample.render import (
    CLASSES,
    COLOURS,
    MULTICOLOUR,
    Garment,
    PictureSpec,
    draw_picture,
)

_NAMES = list(COLOURS)
_PALETTE = np.array(list(COLOURS.values()), float)


def _spec(seed: int) -> PictureSpec:
    rng = np.random.default_rng(seed)
    people = []
    for _ in range(int(rng.integers(1, 3))):
        base = (
            ["dress"]
            if rng.random() < 0.3
            else ["top", str(rng.choice(["pants", "shorts", "skirt"]))]
        )
        extra = [c for c in CLASSES if c not in {"top", "dress", "pants", "shorts", "skirt"}]
        chosen = base + [c for c in extra if rng.random() < 0.4]
        people.append(tuple(Garment(c, _NAMES[int(rng.integers(len(_NAMES)))]) for c in chosen))
    return PictureSpec(320, 400 if seed % 2 else 320, seed, tuple(people))


def test_same_spec_same_pixels_and_boxes() -> None:
    first, boxes = draw_picture(_spec(3))
    second, again = draw_picture(_spec(3))
    assert np.array_equal(np.asarray(first), np.asarray(second))
    assert boxes == again


def test_dominant_colour_of_each_box_names_the_garment_colour() -> None:
    agree = total = 0
    for seed in range(40):
        image, boxes = draw_picture(_spec(seed))
        pixels = np.asarray(image, float)
        for box in boxes:
            assert 0 <= box.x1 < box.x2 <= image.width
            assert 0 <= box.y1 < box.y2 <= image.height
            crop = pixels[box.y1 : box.y2, box.x1 : box.x2].reshape(-1, 3)
            nearest = ((crop[:, None, :] - _PALETTE[None]) ** 2).sum(-1).argmin(1)
            agree += _NAMES[int(np.bincount(nearest).argmax())] == box.colour
            total += 1
    assert total > 200
    assert agree / total >= 0.88


def test_multicolour_garments_are_patterned_and_small_objects_are_boxed() -> None:
    person = (
        Garment("top", MULTICOLOUR),
        Garment("pants", "Blue"),
        Garment("footwear", "White"),
        Garment("sunglasses", "Black"),
        Garment("belt", "Brown"),
    )
    image, boxes = draw_picture(PictureSpec(320, 320, 1, (person,)))
    by_class = {b.class_name: b for b in boxes}
    assert set(by_class) == {"top", "pants", "footwear", "sunglasses", "belt"}
    top = by_class["top"]
    crop = np.asarray(image, float)[top.y1 : top.y2, top.x1 : top.x2].reshape(-1, 3)
    nearest = ((crop[:, None, :] - _PALETTE[None]) ** 2).sum(-1).argmin(1)
    shares = np.bincount(nearest, minlength=len(_NAMES)) / len(nearest)
    assert (shares > 0.1).sum() >= 2
    for small in ("sunglasses", "belt"):
        box = by_class[small]
        assert (box.x2 - box.x1) * (box.y2 - box.y1) < 0.02 * 320 * 320
