"""Batched detection: DataLoader workers decode pictures; the device resizes, normalises, runs
the network, decodes boxes and runs ``batched_nms`` over the whole batch at once.

With ``decode_on_device`` the workers only read and check the JPEG files, and the batch is
decoded on the device (``torchvision.io.decode_jpeg``, nvJPEG on CUDA). On an H200 the pipeline
with decoding in 8 workers ran at 0.05-0.07 of the network's own rate; decoding on the GPU is
meant to lift that (not yet measured there). Pictures that are not complete RGB or grey JPEGs
are still decoded by the workers.

torchvision's ``SSD.forward`` post-processes one picture (and one class) at a time in Python;
here a batch's candidate boxes of every picture and class go through one ``batched_nms``
(keyed by picture x class), so the device sees a few large kernels instead of many small ones.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch import Tensor
from torch.nn import functional as F
from torch.utils.data import DataLoader, Dataset
from torchvision.io import ImageReadMode, decode_jpeg
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.ssd import SSD
from torchvision.ops import batched_nms

from trendminer.vision.checkpoint import CheckpointMeta
from trendminer.vision.colour import box_colours
from trendminer.vision.fold import fold_batchnorm

logger = logging.getLogger(__name__)

MAX_PIXELS = 50_000_000
"""Pictures with more pixels than this are refused as decompression bombs."""
PRECISIONS = ("auto", "fp32", "bf16", "fp16")


@dataclass(frozen=True, slots=True)
class Detection:
    """One garment: class, score in [0, 1], box (x1, y1, x2, y2) in the picture's pixels, colour."""

    class_name: str
    score: float
    box: tuple[float, float, float, float]
    colour: str


@dataclass(frozen=True, slots=True)
class Failure:
    """A picture that could not be read: ``status`` is ``'missing'`` or ``'corrupt'``."""

    key: int
    status: str
    error: str


@dataclass(frozen=True, slots=True)
class BatchOutput:
    """Detections per readable picture (by key) and the pictures that failed."""

    detections: dict[int, list[Detection]]
    failures: list[Failure]


class PictureError(Exception):
    """A picture file cannot be decoded (internal: becomes a :class:`Failure`)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise PictureError(
            "corrupt", f"{width}x{height} pixels exceeds the {max_pixels} pixel limit"
        )


def decode_picture(
    path: Path, *, draft_size: int | None = None, max_pixels: int = MAX_PIXELS
) -> tuple[Tensor, tuple[int, int]]:
    """``[3, h, w]`` uint8 RGB of the picture at ``path`` and its (height, width) in the file.

    ``draft_size`` lets the JPEG decoder skip detail (DCT scaling) it would throw away when
    resizing to that size, so ``h, w`` may be smaller than the file's. Raises
    :class:`PictureError` for a missing, empty, truncated, non-picture or oversized file.
    """
    try:
        with Image.open(path) as image:
            width, height = image.size
            _check_pixels(width, height, max_pixels)
            if draft_size is not None and image.format == "JPEG":
                image.draft("RGB", (draft_size, draft_size))
            rgb = image.convert("RGB")
    except FileNotFoundError:
        raise PictureError("missing", f"no file at {path}") from None
    except PictureError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
    ) as exc:
        raise PictureError("corrupt", f"{type(exc).__name__}: {exc}") from None
    array = np.asarray(rgb)
    if array.ndim != 3 or array.shape[0] == 0 or array.shape[1] == 0:
        raise PictureError("corrupt", "picture has no pixels")
    return torch.from_numpy(array.copy()).permute(2, 0, 1), (height, width)


_JPEG_END = b"\xff\xd9"
_JPEG_TAIL = 64
"""A complete JPEG's end-of-image marker lies within this many bytes of the file's end."""


def read_jpeg(path: Path, *, max_pixels: int = MAX_PIXELS) -> tuple[Tensor, tuple[int, int]] | None:
    """The encoded bytes (uint8 ``[n]``) and (height, width) of a complete RGB or grey JPEG.

    Only the header is parsed. ``None`` when the file is another format or mode, or lacks its
    end marker (truncated): :func:`decode_picture` decides about those. Raises
    :class:`PictureError` for a missing, unreadable or oversized file.
    """
    try:
        with Image.open(path) as image:
            width, height = image.size
            plain = image.format == "JPEG" and image.mode in ("RGB", "L")
        data = path.read_bytes() if plain else b""
    except FileNotFoundError:
        raise PictureError("missing", f"no file at {path}") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise PictureError("corrupt", f"{type(exc).__name__}: {exc}") from None
    _check_pixels(width, height, max_pixels)
    if not plain or data.rfind(_JPEG_END, max(0, len(data) - _JPEG_TAIL)) < 0:
        return None
    return torch.frombuffer(bytearray(data), dtype=torch.uint8), (height, width)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A picture as a DataLoader worker returns it: pixels (or, to be decoded on the device,
    the encoded JPEG) and original size, or the failure."""

    key: int
    pixels: Tensor | None
    size: tuple[int, int]
    """Original (height, width) in pixels."""
    failure: Failure | None
    encoded: Tensor | None = None


class PictureFiles(Dataset[Loaded]):
    """``(key, path)`` pairs decoded (or, with ``encoded``, read and checked) in workers."""

    def __init__(
        self, items: Sequence[tuple[int, Path]], *, draft_size: int | None, encoded: bool = False
    ) -> None:
        self.items = list(items)
        self.draft_size = draft_size
        self.encoded = encoded

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Loaded:
        key, path = self.items[index]
        try:
            jpeg = read_jpeg(path) if self.encoded else None
            if jpeg is not None:
                return Loaded(key, None, jpeg[1], None, encoded=jpeg[0])
            pixels, size = decode_picture(path, draft_size=self.draft_size)
        except PictureError as exc:
            return Loaded(key, None, (0, 0), Failure(key, exc.status, str(exc)))
        return Loaded(key, pixels, size, None)


def _collate(batch: list[Loaded]) -> list[Loaded]:
    return batch


def resolve_device(name: str = "auto") -> torch.device:
    """``'auto'``: CUDA when present, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def default_batch_size(device: torch.device) -> int:
    """Pictures per batch on ``device``: 16 on the CPU (larger batches gain nothing there), 128
    on CUDA (enough to keep the GPU busy)."""
    return 128 if device.type == "cuda" else 16


def default_workers(device: torch.device) -> int:
    """Decoding processes for ``device``. None on the CPU: decoding a picture costs a few per
    cent of the network's time there, and a worker would take a core from the network's threads
    (measured on 2 cores: 0 workers ran 11 % faster than 2). On CUDA up to 8, one core left to
    feed the device."""
    if device.type != "cuda":
        return 0
    return max(1, min(8, (os.cpu_count() or 2) - 1))


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``precision`` on ``device`` (``None``: float32)."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    if precision == "fp32":
        return None
    if precision == "auto":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.bfloat16 if _cpu_has_bf16() else None
    return torch.bfloat16 if precision == "bf16" else torch.float16


class Detector:
    """A detector model ready for batched inference on one device.

    Pictures of any size go in as uint8 ``[3, H, W]``; detections come out per picture with
    boxes in that picture's original pixels. It runs a copy of ``model`` with its batch norms
    folded into the convolutions (the caller's model is left as it was). The NMS IoU threshold
    defaults to the model's (0.45 for SSD300/FFSSD, 0.55 for SSDLite, as in torchvision).
    """

    def __init__(
        self,
        model: SSD,
        meta: CheckpointMeta,
        *,
        device: torch.device | str = "auto",
        precision: str = "auto",
        score_threshold: float = 0.4,
        nms_threshold: float | None = None,
        max_detections: int = 100,
        candidates: int = 1000,
        decode_on_device: bool = False,
    ) -> None:
        self.device = resolve_device(device) if isinstance(device, str) else device
        self.dtype = resolve_precision(precision, self.device)
        self.meta = meta
        self.classes = meta.classes
        self.size = meta.input_size
        self.score_threshold = score_threshold
        self.nms_threshold = model.nms_thresh if nms_threshold is None else nms_threshold
        self.max_detections = max_detections
        self.candidates = candidates
        self.decode_on_device = decode_on_device
        self.model = fold_batchnorm(model).to(self.device, memory_format=torch.channels_last)
        transform = model.transform
        self.mean = torch.tensor(transform.image_mean, device=self.device).view(1, 3, 1, 1)
        self.std = torch.tensor(transform.image_std, device=self.device).view(1, 3, 1, 1)
        self.box_weights = model.box_coder.weights
        self.anchors = self._anchors()

    def autocast(self) -> AbstractContextManager[object]:
        """The mixed-precision context of this detector (a no-op in float32)."""
        if self.dtype is None:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)

    @torch.inference_mode()
    def _anchors(self) -> Tensor:
        """The default boxes ``[A, 4]`` of the model's fixed input size, computed once."""
        probe = torch.zeros(1, 3, self.size, self.size, device=self.device)
        features = list(self.model.backbone(probe).values())
        anchors = self.model.anchor_generator(ImageList(probe, [(self.size, self.size)]), features)
        return anchors[0]

    def prepare(self, pictures: Sequence[Tensor]) -> Tensor:
        """uint8 ``[3, H, W]`` pictures -> ``[B, 3, S, S]`` RGB floats in [0, 1] on the device."""
        resized = [
            F.interpolate(
                p.to(self.device, non_blocking=True)[None].float(),
                size=(self.size, self.size),
                mode="bilinear",
                align_corners=False,
            )
            for p in pictures
        ]
        return torch.cat(resized).div_(255.0)

    @torch.inference_mode()
    def forward(self, batch: Tensor) -> tuple[Tensor, Tensor]:
        """``[B, 3, S, S]`` in [0, 1] -> (box deltas ``[B, A, 4]``, class logits ``[B, A, C]``)."""
        x = ((batch - self.mean) / self.std).contiguous(memory_format=torch.channels_last)
        with self.autocast():
            features = list(self.model.backbone(x).values())
            head = self.model.head(features)
        return head["bbox_regression"].float(), head["cls_logits"].float()

    @torch.inference_mode()
    def decode(self, regression: Tensor, logits: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Head outputs -> (picture index, boxes in model pixels, scores, labels), all pictures.

        Per picture the ``candidates`` best (anchor, class) pairs above the score threshold are
        kept; then one ``batched_nms`` over the batch, keyed by picture and class; at most
        ``max_detections`` per picture, best first.
        """
        batch, _, classes = logits.shape
        scores = torch.softmax(logits, dim=-1)[..., 1:].reshape(batch, -1)
        boxes = self._decode_boxes(regression)
        k = min(self.candidates, scores.shape[1])
        top_scores, top = scores.topk(k, dim=1)
        anchor_index = top // (classes - 1)
        labels = top % (classes - 1) + 1
        picture = torch.arange(batch, device=logits.device)[:, None].expand(batch, k)
        chosen = boxes[picture, anchor_index]
        mask = top_scores > self.score_threshold
        picture, chosen, top_scores, labels = (
            picture[mask],
            chosen[mask],
            top_scores[mask],
            labels[mask],
        )
        keep = batched_nms(chosen, top_scores, picture * classes + labels, self.nms_threshold)
        # keep is sorted by score; a stable sort by picture keeps that order within each.
        order = torch.sort(picture[keep], stable=True).indices
        keep = keep[order]
        picture = picture[keep]
        first = torch.searchsorted(picture, picture, right=False)
        rank = torch.arange(picture.numel(), device=picture.device) - first
        keep = keep[rank < self.max_detections]
        return picture[rank < self.max_detections], chosen[keep], top_scores[keep], labels[keep]

    def _decode_boxes(self, regression: Tensor) -> Tensor:
        wx, wy, ww, wh = self.box_weights
        anchors = self.anchors
        widths = anchors[:, 2] - anchors[:, 0]
        heights = anchors[:, 3] - anchors[:, 1]
        cx = anchors[:, 0] + 0.5 * widths
        cy = anchors[:, 1] + 0.5 * heights
        clamp = float(np.log(1000.0 / 16))
        pcx = regression[..., 0] / wx * widths + cx
        pcy = regression[..., 1] / wy * heights + cy
        pw = torch.exp((regression[..., 2] / ww).clamp(max=clamp)) * widths
        ph = torch.exp((regression[..., 3] / wh).clamp(max=clamp)) * heights
        boxes = torch.stack([pcx - pw / 2, pcy - ph / 2, pcx + pw / 2, pcy + ph / 2], dim=-1)
        return boxes.clamp(0, self.size)

    def detect(
        self, pictures: Sequence[Tensor], sizes: Sequence[tuple[int, int]]
    ) -> list[list[Detection]]:
        """Detections for each uint8 ``[3, H, W]`` picture; ``sizes``: original (H, W) each."""
        if not pictures:
            return []
        batch = self.prepare(pictures)
        picture, boxes, scores, labels = self.decode(*self.forward(batch))
        colours = box_colours(batch, boxes, picture)
        scale = torch.tensor(
            [[w / self.size, h / self.size] * 2 for h, w in sizes], device=boxes.device
        )
        boxes = boxes * scale[picture]
        out: list[list[Detection]] = [[] for _ in pictures]
        rows = zip(
            picture.tolist(), boxes.tolist(), scores.tolist(), labels.tolist(), colours, strict=True
        )
        for index, box, score, label, colour in rows:
            out[index].append(
                Detection(
                    self.classes[label - 1], float(score), (box[0], box[1], box[2], box[3]), colour
                )
            )
        return out

    def loader(
        self, items: Sequence[tuple[int, Path]], *, batch_size: int, workers: int = 0
    ) -> DataLoader[Loaded]:
        """Batches of ``(key, path)`` pictures decoded in ``workers`` processes."""
        return DataLoader(
            PictureFiles(items, draft_size=self.size, encoded=self.decode_on_device),
            batch_size=batch_size,
            num_workers=workers,
            collate_fn=_collate,
            pin_memory=self.device.type == "cuda",
            persistent_workers=False,
            prefetch_factor=4 if workers else None,
        )

    def detect_files(
        self, items: Sequence[tuple[int, Path]], *, batch_size: int, workers: int = 0
    ) -> Iterator[BatchOutput]:
        """Decode ``(key, path)`` pictures in ``workers`` processes and detect batch by batch."""
        for loaded in self.loader(items, batch_size=batch_size, workers=workers):
            loaded = self._decode_encoded(loaded)
            good = [item for item in loaded if item.pixels is not None]
            failures = [item.failure for item in loaded if item.failure is not None]
            found = self.detect(
                [item.pixels for item in good if item.pixels is not None],
                [item.size for item in good],
            )
            yield BatchOutput(
                {item.key: dets for item, dets in zip(good, found, strict=True)}, failures
            )

    def _decode_encoded(self, loaded: list[Loaded]) -> list[Loaded]:
        """Decode the batch's encoded JPEGs on the device, in one call; a batch that fails is
        decoded picture by picture, so that a bad one is marked and the others go on."""
        encoded = [(item.key, item.encoded) for item in loaded if item.encoded is not None]
        if not encoded:
            return loaded
        decoded: dict[int, Tensor | Failure] = {}
        try:
            pictures = decode_jpeg(
                [data for _, data in encoded], mode=ImageReadMode.RGB, device=self.device
            )
            decoded = {key: picture for (key, _), picture in zip(encoded, pictures, strict=True)}
        except RuntimeError:
            for key, data in encoded:
                try:
                    decoded[key] = decode_jpeg(data, mode=ImageReadMode.RGB, device=self.device)
                except RuntimeError as exc:
                    decoded[key] = Failure(key, "corrupt", f"RuntimeError: {exc}")
        out = []
        for item in loaded:
            result = decoded.get(item.key)
            if isinstance(result, Tensor):
                item = Loaded(item.key, result, item.size, None)
            elif isinstance(result, Failure):
                item = Loaded(item.key, None, (0, 0), result)
            out.append(item)
        return out
