"""The dominant colour of a garment box, named with GeoStyle's colours.

Pixels are named by hue, saturation and value rules (:func:`name_pixels`). For a box, the
central part is sampled (garment boxes have background in their corners); skin-coloured pixels
are left out when skin also shows around the box (else they are a brown or tan garment), and
the colours that dominate a ring just outside the box (background, skin, neighbouring garments)
count less; neither rule may remove nearly everything.
If the two most frequent colours both hold a large share, the garment is "More than 1 color".
Everything runs batched on the pictures' device.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torchvision.ops import roi_align

from trendminer.vision.classes import GEOSTYLE_COLOURS, MULTICOLOUR

SOLID_COLOURS = GEOSTYLE_COLOURS[:-1]
_INDEX = {name: i for i, name in enumerate(SOLID_COLOURS)}

INNER_FRACTION = (0.6, 0.7)
"""Width and height of the sampled centre, as fractions of the box."""
RING_GROWTH = 0.2
"""The context ring reaches this fraction of the box size beyond each side."""
SAMPLES = 16
SECOND_COLOUR_SHARE = 0.25
FIRST_COLOUR_SHARE = 0.6
MIN_KEPT_SHARE = 0.25
RING_SKIN_SHARE = 0.2
PLAIN_CHANGES = 0.1
"""Below this share of neighbouring samples that differ in colour, a box is not a pattern."""
PATTERN_CHANGES = 0.25
MIN_PATTERN_SHARE = 0.15


def name_pixels(rgb: Tensor) -> Tensor:
    """``rgb``: ``[..., 3]`` floats in [0, 1] -> ``[...]`` indexes into :data:`SOLID_COLOURS`."""
    r, g, b = rgb.unbind(-1)
    v, _ = rgb.max(-1)
    low, _ = rgb.min(-1)
    chroma = v - low
    s = torch.where(v > 0, chroma / v.clamp_min(1e-6), torch.zeros_like(v))
    safe = chroma.clamp_min(1e-6)
    hue = (
        torch.where(
            v == r,
            ((g - b) / safe) % 6,
            torch.where(v == g, (b - r) / safe + 2, (r - g) / safe + 4),
        )
        * 60.0
    )

    out = torch.full(v.shape, _INDEX["Blue"], dtype=torch.long, device=rgb.device)

    def put(mask: Tensor, name: str) -> None:
        out[mask] = _INDEX[name]

    reddish = (hue < 12) | (hue >= 345)
    put((hue >= 200) & (hue < 258), "Blue")
    put((hue >= 165) & (hue < 200), "Cyan")
    put((hue >= 72) & (hue < 165), "Green")
    put((hue >= 45) & (hue < 72), "Yellow")
    put((hue >= 12) & (hue < 45), "Orange")
    put((hue >= 12) & (hue < 45) & ((v < 0.62) | (s < 0.45)), "Brown")
    put(reddish, "Red")
    put(reddish & (s < 0.55) & (v >= 0.75), "Pink")
    put((hue >= 290) & (hue < 345), "Pink")
    put(((hue >= 258) & (hue < 290)) | ((hue >= 290) & (hue < 345) & (v < 0.62)), "Purple")
    grey = (s < 0.18) | (chroma < 0.08)
    put(grey, "Gray")
    put(grey & (v >= 0.66), "White")
    put(v < 0.2, "Black")
    return out


def skin_mask(rgb: Tensor) -> Tensor:
    """``[..., 3]`` in [0, 1] -> bool ``[...]``: the YCrCb skin range (Chai & Ngan 1999)."""
    r, g, b = (rgb * 255.0).unbind(-1)
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cr = (r - y) * 0.713 + 128.0
    cb = (b - y) * 0.564 + 128.0
    return (cr >= 138) & (cr <= 173) & (cb >= 77) & (cb <= 127) & (y > 60)


def _sample(images: Tensor, boxes: Tensor, image_index: Tensor, size: int) -> Tensor:
    rois = torch.cat([image_index[:, None].to(boxes.dtype), boxes], dim=1)
    crops = roi_align(images, rois, output_size=(size, size), sampling_ratio=1, aligned=True)
    return crops.flatten(2).transpose(1, 2)  # [D, size*size, 3]


def box_colours(images: Tensor, boxes: Tensor, image_index: Tensor) -> list[str]:
    """Name the garment colour of each box.

    ``images``: ``[B, 3, H, W]`` RGB floats in [0, 1]; ``boxes``: ``[D, 4]`` (x1, y1, x2, y2) in
    those pictures' pixels; ``image_index``: ``[D]`` picture of each box. Returns ``D`` names.
    """
    if boxes.numel() == 0:
        return []
    images = images.float()
    boxes = boxes.float()
    h, w = images.shape[-2:]
    centre = (boxes[:, :2] + boxes[:, 2:]) / 2
    half = (boxes[:, 2:] - boxes[:, :2]).clamp_min(1.0) / 2
    inner_half = half * torch.tensor(INNER_FRACTION, device=boxes.device)
    inner = torch.cat([centre - inner_half, centre + inner_half], dim=1)
    outer_half = half * (1 + 2 * RING_GROWTH)
    limit = torch.tensor([w, h], device=boxes.device, dtype=boxes.dtype)
    outer = torch.cat(
        [(centre - outer_half).clamp_min(0), torch.minimum(centre + outer_half, limit)], dim=1
    )

    inside_px = _sample(images, inner, image_index, SAMPLES)
    ring_px = _sample(images, outer, image_index, SAMPLES + 4)
    # Ring samples that fall inside the box itself are not context.
    steps = (torch.arange(SAMPLES + 4, device=boxes.device, dtype=boxes.dtype) + 0.5) / (
        SAMPLES + 4
    )
    xs = outer[:, None, 0] + steps[None] * (outer[:, 2:3] - outer[:, 0:1])
    ys = outer[:, None, 1] + steps[None] * (outer[:, 3:4] - outer[:, 1:2])
    in_x = (xs >= boxes[:, 0:1]) & (xs <= boxes[:, 2:3])
    in_y = (ys >= boxes[:, 1:2]) & (ys <= boxes[:, 3:4])
    ring_mask = ~(in_y[:, :, None] & in_x[:, None, :]).flatten(1)

    n = len(SOLID_COLOURS)
    inside_names = torch.nn.functional.one_hot(name_pixels(inside_px), n).float()
    ring_names = torch.nn.functional.one_hot(name_pixels(ring_px), n).float()
    ring_hist = (ring_names * ring_mask[..., None]).sum(1)
    ring_share = ring_hist / ring_hist.sum(1, keepdim=True).clamp_min(1.0)

    # Skin-coloured pixels count as skin only where skin shows around the box too (arms, legs,
    # face); otherwise they are a garment of a skin-like colour (brown, tan, orange).
    ring_skin = (skin_mask(ring_px) & ring_mask).float().sum(1) / ring_mask.float().sum(
        1
    ).clamp_min(1)
    skin = skin_mask(inside_px).float() * (ring_skin >= RING_SKIN_SHARE).float()[:, None]
    weights = _prefer(torch.ones_like(skin), 1 - skin)
    hist = (inside_names * weights[..., None]).sum(1)
    # Colours that dominate the surroundings count less inside (background, skin, neighbours).
    damp = (1 - ring_share / ring_share.amax(1, keepdim=True).clamp_min(1e-6)).clamp(0.0, 1.0)
    damped = hist * torch.where(ring_share >= 0.3, damp, torch.ones_like(damp))
    keep = damped.sum(1, keepdim=True) >= MIN_KEPT_SHARE * hist.sum(1, keepdim=True)
    hist = torch.where(keep, damped, hist)

    share = hist / hist.sum(1, keepdim=True).clamp_min(1e-6)
    top = share.topk(2, dim=1)
    # A pattern alternates colours from sample to sample; two plain garments meet once.
    grid = inside_names.argmax(-1).view(-1, SAMPLES, SAMPLES)
    changes = (grid[:, :, 1:] != grid[:, :, :-1]).float().mean((1, 2))
    changes = (changes + (grid[:, 1:] != grid[:, :-1]).float().mean((1, 2))) / 2
    split = (top.values[:, 1] >= SECOND_COLOUR_SHARE) & (top.values[:, 0] < FIRST_COLOUR_SHARE)
    multi = (split & (changes >= PLAIN_CHANGES)) | (
        (top.values[:, 1] >= MIN_PATTERN_SHARE) & (changes >= PATTERN_CHANGES)
    )
    names = []
    for index, is_multi in zip(top.indices[:, 0].tolist(), multi.tolist(), strict=True):
        names.append(MULTICOLOUR if is_multi else SOLID_COLOURS[index])
    return names


def _prefer(base: Tensor, preferred: Tensor) -> Tensor:
    """``preferred`` weights per box where they keep enough pixels, else ``base``."""
    enough = preferred.sum(1, keepdim=True) >= MIN_KEPT_SHARE * base.sum(1, keepdim=True)
    return torch.where(enough, preferred, base)


def dominant_colour(image: Tensor, box: tuple[float, float, float, float]) -> str:
    """Colour name of one box in one ``[3, H, W]`` RGB picture in [0, 1]."""
    boxes = torch.tensor([box], dtype=torch.float32, device=image.device)
    index = torch.zeros(1, dtype=torch.long, device=image.device)
    return box_colours(image[None], boxes, index)[0]
