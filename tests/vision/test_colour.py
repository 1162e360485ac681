"""Colour naming on synthetic patches: solid garments, skin, background, several colours."""

from __future__ import annotations

import pytest
import torch

from trendminer.sources.sample.render import COLOURS
from trendminer.vision.classes import GEOSTYLE_COLOURS
from trendminer.vision.colour import SOLID_COLOURS, box_colours, dominant_colour, name_pixels

# The colours the Sample renderer draws are the ones the detector must name.
REFERENCE = COLOURS
SKIN = (224, 172, 130)
BACKGROUND = (150, 160, 140)


def _rgb(colour: tuple[int, int, int]) -> torch.Tensor:
    return torch.tensor(colour, dtype=torch.float32).view(3, 1, 1) / 255


def _picture() -> torch.Tensor:
    return _rgb(BACKGROUND).expand(3, 120, 120).clone()


def test_every_geostyle_colour_has_a_name() -> None:
    assert (*SOLID_COLOURS, "More than 1 color") == GEOSTYLE_COLOURS
    pixels = torch.tensor(list(REFERENCE.values()), dtype=torch.float32) / 255
    dimmed = pixels * 0.85  # a darker light keeps the names
    for batch in (pixels, dimmed):
        assert [SOLID_COLOURS[i] for i in name_pixels(batch).tolist()] == list(REFERENCE)


@pytest.mark.parametrize("name", list(REFERENCE))
def test_solid_garment_on_background(name: str) -> None:
    picture = _picture()
    picture[:, 20:100, 30:90] = _rgb(REFERENCE[name])
    assert dominant_colour(picture, (30, 20, 90, 100)) == name


def test_skin_and_background_inside_the_box_are_left_out() -> None:
    picture = _picture()
    picture[:, 20:100, 40:80] = _rgb(REFERENCE["Blue"])  # a narrow garment in a wide box
    picture[:, 20:100, 30:40] = _rgb(SKIN)  # an arm on each side
    picture[:, 20:100, 80:90] = _rgb(SKIN)
    picture[:, 0:20, 30:90] = _rgb(SKIN)  # skin continues around the box
    picture[:, 100:120, 30:90] = _rgb(SKIN)
    assert dominant_colour(picture, (30, 20, 90, 100)) == "Blue"


def test_stripes_are_more_than_one_colour() -> None:
    picture = _picture()
    for row in range(20, 100, 8):
        colour = REFERENCE["Red"] if (row // 8) % 2 else REFERENCE["White"]
        picture[:, row : row + 8, 30:90] = _rgb(colour)
    assert dominant_colour(picture, (30, 20, 90, 100)) == "More than 1 color"


def test_batched_boxes_over_several_pictures() -> None:
    first, second = _picture(), _picture()
    first[:, 10:60, 10:60] = _rgb(REFERENCE["Green"])
    second[:, 50:110, 40:100] = _rgb(REFERENCE["Purple"])
    second[:, 0:40, 0:40] = _rgb(REFERENCE["Yellow"])
    boxes = torch.tensor([[10.0, 10, 60, 60], [40, 50, 100, 110], [0, 0, 40, 40]])
    names = box_colours(torch.stack([first, second]), boxes, torch.tensor([0, 1, 1]))
    assert names == ["Green", "Purple", "Yellow"]
    assert box_colours(first[None], torch.zeros(0, 4), torch.zeros(0, dtype=torch.long)) == []


def test_two_plain_garments_in_one_box_are_not_a_pattern() -> None:
    picture = _picture()
    picture[:, 20:100, 30:90] = _rgb(REFERENCE["Red"])
    picture[:, 68:100, 30:90] = _rgb(REFERENCE["Blue"])  # a plain blue garment overlaps below
    assert dominant_colour(picture, (30, 20, 90, 100)) == "Red"
