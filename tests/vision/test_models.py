"""The seed's SSD300 configuration, Feature-Fused SSD's fusion, the builders' inputs."""

from __future__ import annotations

import math

import pytest
import torch
from torchvision.models.detection.image_list import ImageList

from trendminer.vision.fold import fold_batchnorm
from trendminer.vision.models import (
    ARCHITECTURES,
    SEED_ASPECT_RATIOS,
    SEED_SCALES,
    build_model,
)
from trendminer.vision.models.ffssd import FeatureFusedExtractor
from trendminer.vision.models.ssd300 import BgrInput, seed_default_boxes

MAP_SIZES = [38, 19, 10, 5, 3, 1]


def test_seed_default_boxes_are_8732_with_the_seed_scales_and_ratios() -> None:
    generator = seed_default_boxes()
    generator.clip = False  # unclipped, so that edge boxes show their full size
    image = torch.zeros(1, 3, 300, 300)
    features = [torch.zeros(1, 1, s, s) for s in MAP_SIZES]
    boxes = generator(ImageList(image, [(300, 300)]), features)[0]
    assert boxes.shape == (8732, 4)
    start = 0
    for k, size in enumerate(MAP_SIZES):
        per_location = len(SEED_ASPECT_RATIOS[k]) + 1
        first = boxes[start : start + per_location]  # the boxes of the first location
        widths = (first[:, 2] - first[:, 0]) / 300
        heights = (first[:, 3] - first[:, 1]) / 300
        s, s_next = SEED_SCALES[k], SEED_SCALES[k + 1]
        expected = [(s, s), (math.sqrt(s * s_next), math.sqrt(s * s_next))]
        expected += [(s * math.sqrt(r), s / math.sqrt(r)) for r in SEED_ASPECT_RATIOS[k] if r != 1]
        got = sorted(zip(widths.tolist(), heights.tolist(), strict=True))
        flat = [v for pair in got for v in pair]
        assert flat == pytest.approx([v for pair in sorted(expected) for v in pair], abs=1e-4)
        start += size * size * per_location
    assert start == 8732


def test_ssd300_heads_predict_every_default_box() -> None:
    model = build_model("ssd300", num_classes=14).eval()
    with torch.no_grad():
        features = list(model.backbone(torch.zeros(1, 3, 300, 300)).values())
        head = model.head(features)
    assert [f.shape[-1] for f in features] == MAP_SIZES
    assert head["bbox_regression"].shape == (1, 8732, 4)
    assert head["cls_logits"].shape == (1, 8732, 14)
    spec = ARCHITECTURES["ssd300"].input
    assert (spec.size, spec.mean, spec.channel_order) == (300, (123.0, 117.0, 104.0), "BGR")
    assert model.transform.image_mean == pytest.approx([123 / 255, 117 / 255, 104 / 255])


def test_bgr_input_reverses_the_channels() -> None:
    seen: list[torch.Tensor] = []

    class Record(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
            seen.append(x)
            return {"0": x}

    rgb = torch.tensor([1.0, 2.0, 3.0]).view(1, 3, 1, 1)
    BgrInput(Record())(rgb)
    assert seen[0].flatten().tolist() == [3.0, 2.0, 1.0]


@pytest.mark.parametrize("fusion", ["concat", "sum"])
def test_ffssd_fused_map_has_conv4_3_shape(fusion: str) -> None:
    extractor = FeatureFusedExtractor(fusion).eval()  # type: ignore[arg-type]
    x = torch.rand(1, 3, 76, 76)  # a tiny input: conv4_3 is 10x10, conv5_3 5x5
    with torch.no_grad():
        conv4_3 = extractor.features(x)
        fused, conv5_3 = extractor.fused(x)
    assert conv4_3.shape == (1, 512, 10, 10)
    assert conv5_3.shape == (1, 512, 5, 5)
    assert fused.shape == conv4_3.shape


def test_unknown_builder_options_fail() -> None:
    with pytest.raises(ValueError, match="unknown fusion"):
        build_model("ffssd", num_classes=3, options={"fusion": "max"})
    with pytest.raises(ValueError, match="unknown detector architecture"):
        build_model("yolo", num_classes=3)


def _smallest_default_box(model: torch.nn.Module) -> float:
    image = torch.zeros(1, 3, 320, 320)
    features = [torch.zeros(1, 1, s, s) for s in (20, 10, 5, 3, 2, 1)]
    boxes = model.anchor_generator(ImageList(image, [(320, 320)]), features)[0]
    first = boxes[:6]  # the first location of the first map
    return float(((first[:, 2] - first[:, 0]) * (first[:, 3] - first[:, 1])).sqrt().min())


def test_ssdlite_min_ratio_shrinks_the_first_maps_boxes_and_keeps_the_weights() -> None:
    stock = build_model("ssdlite", num_classes=3)
    small = build_model("ssdlite", num_classes=3, options={"min_ratio": 0.1})
    assert _smallest_default_box(stock) == pytest.approx(0.2 * 320, rel=1e-3)
    assert _smallest_default_box(small) == pytest.approx(0.1 * 320, rel=1e-3)
    assert {k: v.shape for k, v in stock.state_dict().items()} == {
        k: v.shape for k, v in small.state_dict().items()
    }
    with pytest.raises(ValueError, match="min_ratio"):
        build_model("ssdlite", num_classes=3, options={"min_ratio": 1.5})


def test_folding_batchnorm_keeps_the_outputs_and_leaves_the_model_alone() -> None:
    torch.manual_seed(0)
    model = build_model("ssdlite", num_classes=4)
    for module in model.modules():  # batch statistics other than the identity
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    model.train()
    folded = fold_batchnorm(model)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules()) == 70
    assert model.training
    assert not folded.training
    model.eval()
    x = torch.rand(2, 3, 320, 320)
    with torch.no_grad():
        expected = model.head(list(model.backbone(x).values()))
        got = folded.head(list(folded.backbone(x).values()))
    for key in ("cls_logits", "bbox_regression"):
        torch.testing.assert_close(got[key], expected[key], rtol=1e-4, atol=1e-4)
