"""Detector checkpoints: weights plus the metadata needed to use and reproduce them.

A checkpoint file is ``torch.save`` of ``{"format": FORMAT, "meta": {...}, "state_dict": {...}}``
(plain types only, loadable with ``weights_only=True``). Floating-point weights may be stored
in float16 to keep shipped files small; they are loaded back as float32.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import torch
from torchvision.models.detection.ssd import SSD

from trendminer.vision.classes import with_background
from trendminer.vision.errors import CheckpointError
from trendminer.vision.models import architecture, build_model

FORMAT = "trendminer-detector/1"
SHIPPED_NAME = "ssdlite_sample.pt"


@dataclass(frozen=True)
class CheckpointMeta:
    """What a checkpoint is: its model, label space, input, how it was made and how it scored."""

    architecture: str
    classes: tuple[str, ...]
    """Garment classes without the background (label ``i + 1`` is ``classes[i]``)."""
    input_size: int
    mean: tuple[float, float, float]
    channel_order: str
    options: dict[str, Any] = field(default_factory=dict)
    recipe: dict[str, Any] = field(default_factory=dict)
    training_data: dict[str, Any] = field(default_factory=dict)
    """Annotation file, picture count and, for the Sample world, its ``renderer_version``."""
    metrics: dict[str, Any] = field(default_factory=dict)
    epoch: int = 0
    version: str = ""
    """``<architecture>-<12 hex of the hash of the weights, classes, input and options>``;
    stored with every detection."""
    created_at: str = ""
    int8: dict[str, Any] = field(default_factory=dict)
    """Int8 calibration (``trendminer calibrate``): the activation scales of the quantised
    network (:mod:`trendminer.vision.quantize`); empty when it has none."""

    @classmethod
    def for_model(cls, name: str, classes: tuple[str, ...], **extra: Any) -> CheckpointMeta:
        """Metadata of a fresh ``name`` model over ``classes`` (input spec from the registry)."""
        spec = architecture(name).input
        return cls(name, tuple(classes), spec.size, spec.mean, spec.channel_order, **extra)

    def to_dict(self) -> dict[str, Any]:
        """Plain types only (lists, not tuples) for ``torch.save``/JSON."""
        data = asdict(self)
        data["classes"] = list(self.classes)
        data["mean"] = list(self.mean)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckpointMeta:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        try:
            return cls(**{**data, "classes": tuple(data["classes"]), "mean": tuple(data["mean"])})
        except (KeyError, TypeError) as exc:
            raise CheckpointError(f"checkpoint metadata is incomplete or unknown: {exc}") from exc


def weights_version(meta: CheckpointMeta, state_dict: dict[str, torch.Tensor]) -> str:
    """A version string that changes whenever the weights do, or what they detect with: the
    classes, the input and the model options (SSDLite's ``min_ratio`` moves every default box
    without changing a weight's shape)."""
    digest = hashlib.sha256()
    detects = {
        "classes": list(meta.classes), "options": meta.options, "input_size": meta.input_size,
        "mean": list(meta.mean), "channel_order": meta.channel_order,
    }  # fmt: skip
    digest.update(json.dumps(detects, sort_keys=True, default=str).encode())
    for key in sorted(state_dict):
        digest.update(key.encode())
        digest.update(state_dict[key].detach().to(torch.float16).cpu().numpy().tobytes())
    return f"{meta.architecture}-{digest.hexdigest()[:12]}"


def save_checkpoint(path: Path, model: SSD, meta: CheckpointMeta, *, half: bool = False) -> Path:
    """Write ``model`` with ``meta`` (its ``version`` and ``created_at`` filled in) to ``path``."""
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    if half:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    stamped = CheckpointMeta.from_dict(
        {
            **meta.to_dict(),
            "version": weights_version(meta, state),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    return _write(path, stamped.to_dict(), state)


def store_int8_calibration(path: Path, calibration: dict[str, Any], out: Path) -> Path:
    """Write the checkpoint at ``path`` to ``out`` with ``calibration`` as its int8 calibration;
    its weights, and so its version, are unchanged."""
    meta, state = _read(path)
    return _write(out, {**meta.to_dict(), "int8": calibration}, state)


def _write(path: Path, meta: dict[str, Any], state: dict[str, torch.Tensor]) -> Path:
    """Write a checkpoint file atomically (a temporary file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save({"format": FORMAT, "meta": meta, "state_dict": state}, tmp)
    tmp.replace(path)
    return path


def shipped_checkpoint() -> Path:
    """The checkpoint shipped in the package (SSDLite trained on the Sample world)."""
    return Path(str(resources.files("trendminer.vision") / "weights" / SHIPPED_NAME))


def read_meta(path: Path) -> CheckpointMeta:
    """Only the metadata of the checkpoint at ``path``."""
    return _read(path)[0]


def load_checkpoint(
    path: Path | None = None,
    *,
    classes: tuple[str, ...] | None = None,
    architecture_name: str | None = None,
) -> tuple[SSD, CheckpointMeta]:
    """The model (float32, eval mode, CPU) and metadata at ``path`` (default: the shipped one).

    ``classes``/``architecture_name``, when given, must match the checkpoint's: a mismatch is a
    :class:`CheckpointError` saying what differs.
    """
    meta, state = _read(path or shipped_checkpoint())
    if architecture_name is not None and meta.architecture != architecture_name:
        raise CheckpointError(
            f"checkpoint is a {meta.architecture!r} model, not {architecture_name!r}"
        )
    if classes is not None and tuple(classes) != meta.classes:
        raise CheckpointError(
            f"checkpoint classes {list(meta.classes)} differ from the expected {list(classes)}"
        )
    try:
        spec = architecture(meta.architecture).input
    except ValueError as exc:
        raise CheckpointError(str(exc)) from exc
    if (meta.input_size, tuple(meta.mean), meta.channel_order) != (
        spec.size,
        spec.mean,
        spec.channel_order,
    ):
        raise CheckpointError(
            f"checkpoint input (size {meta.input_size}, mean {list(meta.mean)}, "
            f"{meta.channel_order}) does not match {meta.architecture!r}'s (size {spec.size}, "
            f"mean {list(spec.mean)}, {spec.channel_order}); retrain it with this version"
        )
    try:
        model = build_model(
            meta.architecture, num_classes=len(with_background(meta.classes)), options=meta.options
        )
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"checkpoint options {meta.options} are not valid: {exc}") from exc
    try:
        model.load_state_dict(
            {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
        )
    except RuntimeError as exc:
        first = str(exc).splitlines()[0]
        raise CheckpointError(
            f"checkpoint weights do not fit {meta.architecture!r}: {first}"
        ) from exc
    return model.eval(), meta


def _read(path: Path) -> tuple[CheckpointMeta, dict[str, torch.Tensor]]:
    if not path.is_file():
        raise CheckpointError(
            f"no detector checkpoint at {path}; train one with `trendminer train` or unset "
            "TRENDMINER_DETECTOR_CHECKPOINT to use the shipped one"
        )
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(f"cannot read checkpoint {path}: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a TrendMiner detector checkpoint ({FORMAT})")
    meta, state = payload.get("meta"), payload.get("state_dict")
    if not isinstance(meta, dict) or not isinstance(state, dict):
        raise CheckpointError(f"{path} lacks its metadata or weights; it is damaged or incomplete")
    return CheckpointMeta.from_dict(meta), state
