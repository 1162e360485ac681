"""Label sets: ModaNet's 13 garment classes (plus background) and GeoStyle's 13 colour names."""

from __future__ import annotations

BACKGROUND = "__background__"

MODANET_CLASSES: tuple[str, ...] = (
    "bag",
    "belt",
    "boots",
    "footwear",
    "outer",
    "dress",
    "sunglasses",
    "pants",
    "top",
    "shorts",
    "skirt",
    "headwear",
    "scarf/tie",
)
"""ModaNet's categories in their published id order (id 1 = bag ... id 13 = scarf & tie)."""

GEOSTYLE_COLOURS: tuple[str, ...] = (
    "Black",
    "White",
    "Gray",
    "Red",
    "Pink",
    "Orange",
    "Yellow",
    "Green",
    "Blue",
    "Cyan",
    "Purple",
    "Brown",
    "More than 1 color",
)
"""GeoStyle's colour attribute values; the last one marks a garment of several colours."""

MULTICOLOUR = GEOSTYLE_COLOURS[-1]

_ALIASES = {"scarf & tie": "scarf/tie", "scarf_tie": "scarf/tie", "scarf and tie": "scarf/tie"}


def canonical_class_name(name: str) -> str:
    """A dataset's category name in our spelling (``'scarf & tie'`` -> ``'scarf/tie'``)."""
    cleaned = " ".join(name.strip().lower().split())
    return _ALIASES.get(cleaned, cleaned)


def with_background(classes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Model label space: index 0 is the background, then the given classes."""
    return (BACKGROUND, *classes)
