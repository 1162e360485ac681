"""Batched detection: DataLoader workers decode pictures; the device resizes, normalises, runs
the network, decodes boxes and runs NMS over the whole batch at once.

A worker packs its batch's pictures into one shared buffer, so one tensor crosses between
processes, not one per picture. With ``decode_on_device`` (the default on CUDA) the workers only
read and check the JPEG files, and the batch is decoded on the device
(``torchvision.io.decode_jpeg``, nvJPEG on CUDA); pictures that are not complete RGB or grey
JPEGs are still decoded by the workers.

torchvision's ``SSD.forward`` post-processes one picture (and one class) at a time in Python;
here a batch's candidate boxes of every picture and class go through one NMS call (or a few,
of whole pictures, when they are many), so the device sees a few large kernels instead of many
small ones.
"""

from __future__ import annotations

import errno
import io
import logging
import os
from collections import defaultdict
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
from torchvision.ops import nms

from trendminer.vision.checkpoint import CheckpointMeta
from trendminer.vision.colour import box_colours
from trendminer.vision.errors import CheckpointError
from trendminer.vision.fold import fold_batchnorm
from trendminer.vision.quantize import int8_network, int8_supported, quiet

logger = logging.getLogger(__name__)

MAX_PIXELS = 50_000_000
"""Pictures with more pixels than this are refused as decompression bombs."""
PRECISIONS = ("auto", "fp32", "bf16", "fp16", "int8")
NMS_CHUNK = 4096
"""Most candidate boxes in one NMS call (whole pictures; one picture may have more)."""


@dataclass(frozen=True, slots=True)
class Detection:
    """One garment: class, score in [0, 1], box (x1, y1, x2, y2) in the picture's pixels, colour."""

    class_name: str
    score: float
    box: tuple[float, float, float, float]
    colour: str


@dataclass(frozen=True, slots=True)
class Failure:
    """A picture that could not be read: ``status`` is ``'missing'``, ``'corrupt'`` or
    ``'unreadable'`` (the system failed to read it: I/O error, no permission, no file handle
    left; the picture is not to blame, so it is left pending and read again by a later run)."""

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


UNREADABLE = "unreadable"
_SYSTEM_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "EIO", "EACCES", "EPERM", "EMFILE", "ENFILE", "ENOMEM", "EAGAIN", "EINTR", "EBUSY",
        "ETIMEDOUT", "ESTALE", "ENOLCK", "ENODEV", "ENXIO", "EREMOTEIO",
    )
    if hasattr(errno, name)
)  # fmt: skip


def _read_error(exc: Exception) -> PictureError:
    """The failure an exception from reading or decoding a picture means."""
    if isinstance(exc, OSError) and exc.errno in _SYSTEM_ERRNOS:
        return PictureError(UNREADABLE, f"{type(exc).__name__}: {exc}")
    return PictureError("corrupt", f"{type(exc).__name__}: {exc}")


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise PictureError(
            "corrupt", f"{width}x{height} pixels exceeds the {max_pixels} pixel limit"
        )


def decode_rgb(
    path: Path,
    *,
    draft_size: int | None = None,
    max_pixels: int = MAX_PIXELS,
    data: bytes | None = None,
) -> tuple[np.ndarray, tuple[int, int]]:
    """``[h, w, 3]`` uint8 RGB of the picture at ``path`` (or of its bytes ``data``, already
    read) and its (height, width) in the file.

    ``draft_size`` lets the JPEG decoder skip detail (DCT scaling) it would throw away when
    resizing to that size, so ``h, w`` may be smaller than the file's. Raises
    :class:`PictureError` for a missing, empty, truncated, non-picture or oversized file.
    """
    try:
        with Image.open(path if data is None else io.BytesIO(data)) as image:
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
        raise _read_error(exc) from None
    array = np.asarray(rgb)
    if array.ndim != 3 or array.shape[0] == 0 or array.shape[1] == 0:
        raise PictureError("corrupt", "picture has no pixels")
    return array, (height, width)


def decode_picture(
    path: Path, *, draft_size: int | None = None, max_pixels: int = MAX_PIXELS
) -> tuple[Tensor, tuple[int, int]]:
    """:func:`decode_rgb` as a ``[3, h, w]`` uint8 tensor."""
    array, size = decode_rgb(path, draft_size=draft_size, max_pixels=max_pixels)
    return torch.from_numpy(array.copy()).permute(2, 0, 1), size


_JPEG_END = b"\xff\xd9"
_JPEG_TAIL = 64
"""A complete JPEG's end-of-image marker lies within this many bytes of the file's end."""


def read_jpeg(path: Path, *, max_pixels: int = MAX_PIXELS) -> tuple[bytes, tuple[int, int]] | None:
    """The encoded bytes and (height, width) of a complete RGB or grey JPEG.

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
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,  # not an OSError: Pillow's own size guard
    ) as exc:
        raise _read_error(exc) from None
    _check_pixels(width, height, max_pixels)
    if not plain or data.rfind(_JPEG_END, max(0, len(data) - _JPEG_TAIL)) < 0:
        return None
    return data, (height, width)


def decode_jpeg_bytes(data: bytes) -> np.ndarray:
    """``[h, w, 3]`` uint8 RGB of an encoded JPEG, decoded on the CPU by libjpeg-turbo through
    torchvision (about twice as fast as PIL at full size). Raises :class:`PictureError`."""
    try:
        planes = decode_jpeg(
            torch.frombuffer(bytearray(data), dtype=torch.uint8), mode=ImageReadMode.RGB
        )
        return planes.permute(1, 2, 0).numpy()  # [3, h, w] is a view of [h, w, 3] memory
    except RuntimeError as exc:
        raise PictureError("corrupt", f"RuntimeError: {exc}") from None


def draft_shrinks(size: tuple[int, int], draft_size: int | None) -> bool:
    """Whether PIL's draft mode would decode a picture of ``size`` at half size or less (it
    keeps both sides at least ``draft_size``), which beats a full-size decode."""
    return draft_size is not None and min(size) >= 2 * draft_size


@dataclass(frozen=True, slots=True)
class Read:
    """One picture as a loader worker read it, with its original (height, width): decoded
    ``[h, w, 3]`` pixels, or, to be decoded on the device, the encoded JPEG."""

    key: int
    size: tuple[int, int]
    pixels: np.ndarray | None = None
    jpeg: bytes | None = None


@dataclass(frozen=True, slots=True)
class Packed:
    """Where one readable picture lies in its batch's buffers: decoded ``[h, w, 3]`` pixels in
    ``pixels[start:end]``, or, with ``shape`` ``None``, an encoded JPEG in
    ``encoded[start:end]``."""

    key: int
    size: tuple[int, int]
    """Original (height, width) in pixels."""
    shape: tuple[int, int, int] | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PictureBatch:
    """A batch as the loader hands it over: the readable pictures packed into two flat uint8
    buffers, so that a worker process passes two tensors, not one per picture, and the
    pictures that failed."""

    pictures: list[Packed]
    pixels: Tensor
    encoded: Tensor
    failures: list[Failure]

    def __len__(self) -> int:
        return len(self.pictures) + len(self.failures)

    def pin_memory(self) -> PictureBatch:
        """The same batch with its pixels in page-locked memory (DataLoader's ``pin_memory``)."""
        return PictureBatch(self.pictures, self.pixels.pin_memory(), self.encoded, self.failures)


def pack(items: Sequence[Read | Failure]) -> PictureBatch:
    """One :class:`PictureBatch` of a loader batch (it runs in the worker). In a worker the
    buffer is made in shared memory at once, so the pixels are copied once, not again to cross
    processes."""
    failures = [item for item in items if isinstance(item, Failure)]
    reads = [item for item in items if isinstance(item, Read)]
    total = sum(item.pixels.size for item in reads if item.pixels is not None)
    pixels = torch.empty(total, dtype=torch.uint8)
    if torch.utils.data.get_worker_info() is not None:
        pixels.share_memory_()
    flat = pixels.numpy()
    pictures, jpegs = [], []
    offset = encoded_offset = 0
    for item in reads:
        if item.pixels is not None:
            first, second, third = item.pixels.shape
            shape = (int(first), int(second), int(third))
            end = offset + item.pixels.size
            flat[offset:end] = item.pixels.reshape(-1)
            pictures.append(Packed(item.key, item.size, shape, offset, end))
            offset = end
        elif item.jpeg is not None:
            end = encoded_offset + len(item.jpeg)
            pictures.append(Packed(item.key, item.size, None, encoded_offset, end))
            jpegs.append(item.jpeg)
            encoded_offset = end
    encoded = (
        torch.frombuffer(bytearray(b"".join(jpegs)), dtype=torch.uint8)
        if jpegs
        else torch.empty(0, dtype=torch.uint8)
    )
    return PictureBatch(pictures, pixels, encoded, failures)


class PictureFiles(Dataset[Read | Failure]):
    """``(key, path)`` pairs decoded (or, with ``encoded``, read and checked) in workers.

    Plain JPEGs that draft mode would not shrink are decoded by libjpeg-turbo through
    torchvision; larger ones and other formats by PIL (with draft mode for JPEGs)."""

    def __init__(
        self, items: Sequence[tuple[int, Path]], *, draft_size: int | None, encoded: bool = False
    ) -> None:
        self.items = list(items)
        self.draft_size = draft_size
        self.encoded = encoded

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Read | Failure:
        key, path = self.items[index]
        try:
            jpeg = read_jpeg(path)
            if jpeg is not None and self.encoded:
                return Read(key, jpeg[1], jpeg=jpeg[0])
            if jpeg is not None and not draft_shrinks(jpeg[1], self.draft_size):
                return Read(key, jpeg[1], pixels=decode_jpeg_bytes(jpeg[0]))
            data = jpeg[0] if jpeg is not None else None  # read once
            array, size = decode_rgb(path, draft_size=self.draft_size, data=data)
        except PictureError as exc:
            return Failure(key, exc.status, str(exc))
        return Read(key, size, pixels=array)


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


def default_decode_on_device(device: torch.device) -> bool:
    """Whether JPEGs are decoded on ``device`` rather than in the workers: on CUDA, where the
    workers' decoding bounds the pipeline (on an H100 with 8 workers, SSD300 ran at 2,066
    pictures/s decoding with nvJPEG against 1,616 decoding in the workers, FFSSD at 2,330
    against 2,036); not on the CPU, where it is the same decoder in the main process."""
    return device.type == "cuda"


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def uses_int8(precision: str, device: torch.device, meta: CheckpointMeta) -> bool:
    """Whether a detector runs its network in int8: asked for (an x86 CPU only, and the
    checkpoint must be calibrated), or ``auto`` on such a CPU with a calibrated checkpoint."""
    if precision == "int8":
        if device.type != "cpu" or not int8_supported():
            raise ValueError(
                f"int8 inference runs on x86 CPUs only, not on this {device.type} "
                f"(torch int8 engines: {', '.join(torch.backends.quantized.supported_engines)})"
            )
        if not meta.int8:
            raise CheckpointError(
                f"checkpoint {meta.version} has no int8 calibration; add one with "
                "`trendminer calibrate`"
            )
        return True
    return precision == "auto" and device.type == "cpu" and bool(meta.int8) and int8_supported()


def resolve_precision(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``precision`` on ``device`` (``None``: float32, and int8, whose
    network is quantised rather than autocast)."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    if precision in ("fp32", "int8"):
        return None
    if precision == "auto":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.bfloat16 if _cpu_has_bf16() else None
    return torch.bfloat16 if precision == "bf16" else torch.float16


@dataclass(frozen=True, slots=True)
class InFlight:
    """A batch whose network has been queued on the device: its prepared pictures, the head
    outputs (maybe not computed yet) and, on CUDA, the event recorded after them."""

    sizes: list[tuple[int, int]]
    images: Tensor
    regression: Tensor
    logits: Tensor
    ready: torch.cuda.Event | None


class Detector:
    """A detector model ready for batched inference on one device.

    Pictures of any size go in as uint8 ``[3, H, W]``; detections come out per picture with
    boxes in that picture's original pixels. It runs a copy of ``model`` with its batch norms
    folded into the convolutions (the caller's model is left as it was); in int8
    (:func:`uses_int8`) the copy's network is quantised with the checkpoint's calibration. The
    NMS IoU threshold defaults to the model's (0.45 for SSD300/FFSSD, 0.55 for SSDLite, as in
    torchvision).
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
        decode_on_device: bool | None = None,
    ) -> None:
        self.device = resolve_device(device) if isinstance(device, str) else device
        self.int8 = uses_int8(precision, self.device, meta)
        # the quantised network is not autocast
        self.dtype = None if self.int8 else resolve_precision(precision, self.device)
        self.meta = meta
        self.classes = meta.classes
        self.size = meta.input_size
        self.score_threshold = score_threshold
        self.nms_threshold = model.nms_thresh if nms_threshold is None else nms_threshold
        self.max_detections = max_detections
        self.candidates = candidates
        self.decode_on_device = (
            default_decode_on_device(self.device) if decode_on_device is None else decode_on_device
        )
        self.model = fold_batchnorm(model).to(self.device, memory_format=torch.channels_last)
        self.quantised = int8_network(self.model, self.size, meta.int8) if self.int8 else None
        transform = model.transform
        mean = torch.tensor(transform.image_mean, device=self.device).view(1, 3, 1, 1)
        std = torch.tensor(transform.image_std, device=self.device).view(1, 3, 1, 1)
        # The normalisation (x - mean) / std as x * scale + shift: one pass (addcmul).
        self.scale, self.shift = 1 / std, -mean / std
        self.box_weights = model.box_coder.weights
        self.anchors = self._anchors()
        self._stream: torch.cuda.Stream | None = None

    @property
    def precision(self) -> str:
        """The arithmetic the network runs in: ``int8``, ``bfloat16``, ``float16`` or
        ``float32``."""
        if self.int8:
            return "int8"
        return str(self.dtype or torch.float32).removeprefix("torch.")

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

    @torch.inference_mode()
    def prepare(self, pictures: Sequence[Tensor]) -> Tensor:
        """uint8 ``[3, H, W]`` pictures -> ``[B, 3, S, S]`` RGB floats in [0, 1] on the device.

        Pictures of one size are resized together: one stack and one bilinear interpolation per
        size, none for pictures already ``S x S``. On the CPU the interpolation runs on the
        uint8 pixels (its vectorised path, several times faster than on floats; the result is
        rounded to whole levels); CUDA interpolates floats.
        """
        by_shape: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for index, picture in enumerate(pictures):
            by_shape[tuple(picture.shape)].append(index)
        out = torch.empty(
            len(pictures),
            3,
            self.size,
            self.size,
            device=self.device,
            memory_format=torch.channels_last,
        )
        for shape, indexes in by_shape.items():
            # Stacked as [n, h, w, 3] (the decoders' own layout), seen as channels-last.
            group = torch.stack(
                [pictures[i].to(self.device, non_blocking=True).permute(1, 2, 0) for i in indexes]
            ).permute(0, 3, 1, 2)
            if shape[1:] != (self.size, self.size):
                group = F.interpolate(
                    group if self.device.type == "cpu" else group.float(),
                    size=(self.size, self.size),
                    mode="bilinear",
                    align_corners=False,
                )
            if len(indexes) == len(pictures):
                return torch.mul(group, 1 / 255.0, out=out)
            out[torch.tensor(indexes, device=self.device)] = group.to(out.dtype)
        return out.div_(255.0)

    @torch.inference_mode()
    def normalise(self, batch: Tensor) -> Tensor:
        """``[B, 3, S, S]`` in [0, 1] -> the network's input (mean and scale of the model)."""
        return torch.addcmul(self.shift, batch, self.scale).contiguous(
            memory_format=torch.channels_last
        )

    @torch.inference_mode()
    def forward(self, batch: Tensor) -> tuple[Tensor, Tensor]:
        """``[B, 3, S, S]`` in [0, 1] -> (box deltas ``[B, A, 4]``, class logits ``[B, A, C]``)."""
        x = self.normalise(batch)
        if self.quantised is not None:
            with quiet():
                regression, logits = self.quantised(x)
            return regression, logits
        with self.autocast():
            features = list(self.model.backbone(x).values())
            head = self.model.head(features)
        return head["bbox_regression"].float(), head["cls_logits"].float()

    @torch.inference_mode()
    def decode(self, regression: Tensor, logits: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Head outputs -> (picture index, boxes in model pixels, scores, labels), all pictures.

        Per picture the ``candidates`` best (anchor, class) pairs above the score threshold are
        kept; then NMS per picture and class over the batch (:meth:`_nms`); at most
        ``max_detections`` per picture, best first.
        """
        batch, _, classes = logits.shape
        # Softmax written out: torch's CPU softmax over a last dimension of 14 runs 5x slower.
        odds = (logits - logits.amax(-1, keepdim=True)).exp_()
        scores = (odds[..., 1:] / odds.sum(-1, keepdim=True)).reshape(batch, -1)
        boxes = self._decode_boxes(regression)
        above = scores > self.score_threshold
        if int(above.sum(1).max()) <= self.candidates:
            # All of them are among the best ``candidates``: no top-k needed.
            picture, top = above.nonzero(as_tuple=True)
            top_scores = scores[picture, top]
        else:
            k = min(self.candidates, scores.shape[1])
            top_scores, top = scores.topk(k, dim=1)
            picture = torch.arange(batch, device=logits.device)[:, None].expand(batch, k)
            mask = top_scores > self.score_threshold
            picture, top, top_scores = picture[mask], top[mask], top_scores[mask]
        anchor_index = top // (classes - 1)
        labels = top % (classes - 1) + 1
        chosen = boxes[picture, anchor_index]
        keep = self._nms(chosen, top_scores, picture, labels, batch)
        # keep is sorted by score within a picture; a stable sort by picture keeps that order.
        order = torch.sort(picture[keep], stable=True).indices
        keep = keep[order]
        picture = picture[keep]
        first = torch.searchsorted(picture, picture, right=False)
        rank = torch.arange(picture.numel(), device=picture.device) - first
        keep = keep[rank < self.max_detections]
        return picture[rank < self.max_detections], chosen[keep], top_scores[keep], labels[keep]

    def _nms(
        self, boxes: Tensor, scores: Tensor, picture: Tensor, labels: Tensor, batch: int
    ) -> Tensor:
        """Indexes kept by NMS per (picture, class), by decreasing score within each picture.

        ``picture`` must be ascending. torchvision's ``batched_nms`` runs one NMS call per
        (picture, class) above 5,000 boxes (thousands of calls for a batch of a model that keeps
        many candidates: an untrained one, or a low score threshold), and one NMS call costs
        n x n/64 words of overlap mask. Here whole pictures go into calls of at most
        :data:`NMS_CHUNK` boxes, each (picture, class) shifted apart (in float64, where the
        shifts cannot blur the coordinates).
        """
        counts = torch.bincount(picture, minlength=batch).tolist()
        kept, start, end = [], 0, 0
        for count in [*counts, NMS_CHUNK + 1]:
            if end > start and end - start + count > NMS_CHUNK:
                kept.append(self._nms_chunk(boxes, scores, picture, labels, start, end))
                start = end
            end += count
        if not kept:
            return torch.empty(0, dtype=torch.long, device=boxes.device)
        return torch.cat(kept)

    def _nms_chunk(
        self, boxes: Tensor, scores: Tensor, picture: Tensor, labels: Tensor, start: int, end: int
    ) -> Tensor:
        groups = (picture[start:end] - picture[start]) * (len(self.classes) + 1) + labels[start:end]
        shift = groups.double()[:, None] * (self.size + 1)
        keep = nms(
            boxes[start:end].double() + shift, scores[start:end].double(), self.nms_threshold
        )
        return keep + start

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
        return self._finish(self._launch(pictures, sizes))

    def _launch(self, pictures: Sequence[Tensor], sizes: Sequence[tuple[int, int]]) -> InFlight:
        """Queue a batch's resizing and network on the device (on CUDA it runs on while the
        host goes on)."""
        images = self.prepare(pictures)
        regression, logits = self.forward(images)
        ready = None
        if self.device.type == "cuda":
            ready = torch.cuda.Event()
            ready.record()
        return InFlight(list(sizes), images, regression, logits, ready)

    @torch.inference_mode()
    def _finish(self, flight: InFlight) -> list[list[Detection]]:
        """Decode, NMS and colours of a launched batch, and its detections as Python objects.

        On CUDA this runs on a side stream that waits for the batch's network only, so the
        next batch's network, queued before, keeps the device busy while the host waits here
        for box decoding and NMS and builds the detections.
        """
        with self._side_stream(flight):
            picture, boxes, scores, labels = self.decode(flight.regression, flight.logits)
            colours = box_colours(flight.images, boxes, picture)
            scale = torch.tensor(
                [[w / self.size, h / self.size] * 2 for h, w in flight.sizes], device=boxes.device
            )
            boxes = boxes * scale[picture]
            rows = zip(
                picture.tolist(),
                boxes.tolist(),
                scores.tolist(),
                labels.tolist(),
                colours,
                strict=True,
            )
        out: list[list[Detection]] = [[] for _ in flight.sizes]
        for index, box, score, label, colour in rows:
            out[index].append(
                Detection(
                    self.classes[label - 1], float(score), (box[0], box[1], box[2], box[3]), colour
                )
            )
        return out

    def _side_stream(self, flight: InFlight) -> AbstractContextManager[object]:
        if flight.ready is None:
            return nullcontext()
        if self._stream is None:
            self._stream = torch.cuda.Stream(self.device)
        self._stream.wait_event(flight.ready)
        for tensor in (flight.images, flight.regression, flight.logits):
            tensor.record_stream(self._stream)  # not reused by the allocator before it is done
        return torch.cuda.stream(self._stream)

    def loader(
        self, items: Sequence[tuple[int, Path]], *, batch_size: int, workers: int = 0
    ) -> DataLoader[Read | Failure]:
        """Batches of ``(key, path)`` pictures, decoded and packed (:class:`PictureBatch`) in
        ``workers`` processes."""
        return DataLoader(
            PictureFiles(items, draft_size=self.size, encoded=self.decode_on_device),
            batch_size=batch_size,
            num_workers=workers,
            collate_fn=pack,
            pin_memory=self.device.type == "cuda",
            persistent_workers=False,
            prefetch_factor=4 if workers else None,
        )

    def detect_files(
        self, items: Sequence[tuple[int, Path]], *, batch_size: int, workers: int = 0
    ) -> Iterator[BatchOutput]:
        """Decode ``(key, path)`` pictures in ``workers`` processes and detect batch by batch.

        A batch's network is queued before the previous batch is finished (:meth:`_finish`),
        so on CUDA the device computes while the host post-processes.
        """
        batch: PictureBatch
        waiting: tuple[list[int], list[Failure], InFlight | None] | None = None
        for batch in self.loader(items, batch_size=batch_size, workers=workers):
            keys, sizes, pictures, failures = self.unpack(batch)
            launched = (keys, failures, self._launch(pictures, sizes) if pictures else None)
            if waiting is not None:
                yield self._output(*waiting)
            waiting = launched
        if waiting is not None:
            yield self._output(*waiting)

    def _output(
        self, keys: list[int], failures: list[Failure], flight: InFlight | None
    ) -> BatchOutput:
        found = self._finish(flight) if flight is not None else []
        return BatchOutput(dict(zip(keys, found, strict=True)), failures)

    @torch.inference_mode()
    def unpack(
        self, batch: PictureBatch
    ) -> tuple[list[int], list[tuple[int, int]], list[Tensor], list[Failure]]:
        """The readable pictures of ``batch`` as ``[3, h, w]`` uint8 tensors on the device, with
        their keys and original sizes, and its failures.

        The decoded pixels cross to the device in one copy. The encoded JPEGs are decoded there
        in one call; if that fails, picture by picture, so that a bad one is marked and the
        others go on.
        """
        pixels = batch.pixels.to(self.device, non_blocking=True)
        jpegs = [
            (item.key, batch.encoded[item.start : item.end])
            for item in batch.pictures
            if item.shape is None
        ]
        decoded = self._decode_jpegs(jpegs) if jpegs else {}
        keys, sizes, pictures = [], [], []
        failures = list(batch.failures)
        for item in batch.pictures:
            if item.shape is not None:
                picture = pixels[item.start : item.end].view(item.shape).permute(2, 0, 1)
            else:
                result = decoded[item.key]
                if isinstance(result, Failure):
                    failures.append(result)
                    continue
                picture = result
            keys.append(item.key)
            sizes.append(item.size)
            pictures.append(picture)
        return keys, sizes, pictures, failures

    def _decode_jpegs(self, jpegs: list[tuple[int, Tensor]]) -> dict[int, Tensor | Failure]:
        try:
            pictures = decode_jpeg(
                [data for _, data in jpegs], mode=ImageReadMode.RGB, device=self.device
            )
            return {key: picture for (key, _), picture in zip(jpegs, pictures, strict=True)}
        except RuntimeError:
            return {key: self._decode_jpeg(key, data) for key, data in jpegs}

    def _decode_jpeg(self, key: int, data: Tensor) -> Tensor | Failure:
        """One JPEG decoded on the device, else by libjpeg-turbo on the CPU (nvJPEG refuses
        some files that it reads, such as CMYK or 4:1:1 ones); a failure when neither can."""
        try:
            return decode_jpeg(data, mode=ImageReadMode.RGB, device=self.device)
        except RuntimeError:
            pass
        try:
            pixels = decode_jpeg_bytes(data.numpy().tobytes())
        except PictureError as exc:
            return Failure(key, exc.status, str(exc))
        return torch.from_numpy(pixels).permute(2, 0, 1).to(self.device)
