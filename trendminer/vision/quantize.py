"""Int8 inference on the CPU: a detector's network quantised after training.

The backbone and head run in int8 (torch's FX graph mode, x86 backend: fbgemm and oneDNN
kernels); the anchors, box decoding, NMS and colours stay in float. Weights are quantised per
channel from the float weights whenever the network is built. Activations are quantised per
tensor with the scales that ``HistogramObserver`` chose on calibration pictures
(:func:`calibrate`). Those scales are plain numbers, a few KB, and the checkpoint keeps them
(``CheckpointMeta.int8``), so every machine builds the same int8 network from one checkpoint
(:func:`int8_network`).

On the shipped SSDLite and a 2-core AVX2 CPU the int8 network runs about 1.5x as many pictures
a second as the float32 one (the whole pipeline about 1.4x: ``benchmarks/detect.py``), and
scores mAP@0.5 0.868 against 0.875 (colour 93.5 % against 93.7 %) on the test split of another
Sample world.

torch marks its FX quantisation API as deprecated in favour of torchao's PT2E flow; it is
complete and tested in the pinned torch, and its warnings are silenced here.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import Tensor, nn
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.observer import FixedQParamsObserver, ObserverBase
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
from torch.fx import GraphModule
from torchvision.models.detection.ssd import SSD

from trendminer.vision.errors import CheckpointError

BACKEND = "x86"
_DTYPES = {"quint8": torch.quint8, "qint8": torch.qint8}
_QSCHEMES = {
    "per_tensor_affine": torch.per_tensor_affine,
    "per_tensor_symmetric": torch.per_tensor_symmetric,
}


def int8_supported() -> bool:
    """Whether this CPU has torch's x86 int8 kernels (not on ARM, for one)."""
    return BACKEND in torch.backends.quantized.supported_engines


class DetectorNetwork(nn.Module):
    """An SSD's backbone and head as one traceable module.

    Normalised ``[B, 3, S, S]`` pictures -> (box deltas ``[B, A, 4]``, class logits
    ``[B, A, C]``).
    """

    def __init__(self, model: SSD) -> None:
        super().__init__()
        self.backbone = model.backbone
        self.head = model.head

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        head = self.head(list(self.backbone(x).values()))
        return head["bbox_regression"], head["cls_logits"]


@contextmanager
def quiet() -> Iterator[None]:
    """FX quantisation's deprecation and tracing warnings silenced, and the int8 head's
    warning that its concatenation requantises each feature map's predictions to one scale
    (measured: mAP within 0.01 of float32)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _prepared(model: SSD, size: int) -> GraphModule:
    """``model``'s network traced with observers after each quantised activation."""
    torch.backends.quantized.engine = BACKEND
    network = DetectorNetwork(copy.deepcopy(model)).eval()
    with quiet():
        return prepare_fx(
            network, get_default_qconfig_mapping(BACKEND), (torch.zeros(1, 3, size, size),)
        )


def _observers(prepared: GraphModule) -> dict[str, ObserverBase]:
    return {
        name: module
        for name, module in prepared.named_children()
        if isinstance(module, ObserverBase)
    }


@torch.inference_mode()
def calibrate(model: SSD, size: int, batches: Iterable[Tensor]) -> dict[str, Any]:
    """The int8 calibration of ``model`` from normalised ``[B, 3, size, size]`` batches.

    Returns ``{"backend", "pictures", "observers": {name: [scale, zero point, dtype, qscheme,
    quant min, quant max]}}``: plain types, for the checkpoint's metadata.
    """
    prepared = _prepared(model, size)
    pictures = 0
    for batch in batches:
        prepared(batch)
        pictures += len(batch)
    if not pictures:
        raise ValueError("calibration needs at least one picture")
    observers: dict[str, list[Any]] = {}
    for name, observer in _observers(prepared).items():
        scale, zero_point = observer.calculate_qparams()  # type: ignore[operator]
        settings: Any = observer  # qscheme and the quantised range: attributes of its subclasses
        observers[name] = [
            float(scale),
            int(zero_point),
            str(observer.dtype).removeprefix("torch."),
            str(settings.qscheme).removeprefix("torch."),
            int(settings.quant_min),
            int(settings.quant_max),
        ]
    return {"backend": BACKEND, "pictures": pictures, "observers": observers}


def int8_network(model: SSD, size: int, calibration: dict[str, Any]) -> GraphModule:
    """``model``'s network in int8 with the activation scales of ``calibration``.

    A calibration made for another network (other layers, another torch tracing) is a
    :class:`CheckpointError` that says to calibrate again.
    """
    prepared = _prepared(model, size)
    stored = calibration.get("observers", {})
    misfit = CheckpointError(
        "the checkpoint's int8 calibration does not fit this network; run "
        "`trendminer calibrate` on it again, or use TRENDMINER_DETECTION_PRECISION=fp32"
    )
    if calibration.get("backend") != BACKEND or set(stored) != set(_observers(prepared)):
        raise misfit
    try:
        for name, (scale, zero_point, dtype, qscheme, low, high) in stored.items():
            observer = FixedQParamsObserver(
                scale,
                zero_point,
                dtype=_DTYPES[dtype],
                qscheme=_QSCHEMES[qscheme],
                quant_min=low,
                quant_max=high,
            )
            setattr(prepared, name, observer)
    except (KeyError, TypeError, ValueError) as exc:
        raise misfit from exc
    with quiet():
        return convert_fx(prepared)
