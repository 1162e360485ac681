"""Per-class average precision at IoU 0.5 (PASCAL VOC, all-point interpolation) and mAP.

Detections of a class are ranked by score over all pictures; each is a true positive when its
best-overlapping counted ground truth of that class (IoU >= 0.5) is not taken yet. Otherwise a
detection that overlaps an ignored ground truth (IoU >= 0.5) counts neither way, and any other is
a false positive. Crowd ground truths are ignored, and their overlap is the intersection over the
detection's area (COCO's rule: a crowd box covers many garments). AP is the area under the
precision/recall curve with precision made monotone (VOC 2010+). mAP averages the classes that
have ground truth. The small-object table counts only ground truths smaller than 32x32 pixels
(COCO's "small"); larger ones are ignored there, as are unmatched large detections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

SMALL_AREA = 32.0 * 32.0

Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Truth:
    """A ground-truth garment: label (1-based), box, area in pixels, crowd flag, colour."""

    label: int
    box: Box
    area: float = 0.0
    crowd: bool = False
    colour: str | None = None


@dataclass(frozen=True, slots=True)
class Prediction:
    """A detection: label (1-based), score, box, colour."""

    label: int
    score: float
    box: Box
    colour: str | None = None


@dataclass(frozen=True, slots=True)
class ClassAP:
    """AP of one class with its ground-truth and detection counts."""

    name: str
    ap: float
    ground_truths: int
    detections: int


@dataclass(frozen=True)
class Report:
    """Per-class AP (all sizes and small objects), mAP and colour agreement of matches."""

    classes: list[ClassAP]
    mAP: float
    small: list[ClassAP]
    small_mAP: float
    matched: int = 0
    colour_checked: int = 0
    colour_correct: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def colour_accuracy(self) -> float:
        """Share of matched detections (with a known true colour) whose colour is right."""
        return self.colour_correct / self.colour_checked if self.colour_checked else 0.0

    def summary(self) -> dict[str, float | int | dict[str, float | None]]:
        """JSON-ready figures: mAP, small mAP, per-class AP (None for a class without ground
        truth: no AP to speak of), colour accuracy."""
        return {
            "mAP": round(self.mAP, 4),
            "small_mAP": round(self.small_mAP, 4),
            "per_class_AP": {
                c.name: round(c.ap, 4) if c.ground_truths else None for c in self.classes
            },
            "matched": self.matched,
            "colour_accuracy": round(self.colour_accuracy, 4),
            **self.extra,
        }


def iou(box: Box, others: np.ndarray, crowd: np.ndarray | None = None) -> np.ndarray:
    """IoU of one (x1, y1, x2, y2) box with ``[N, 4]`` boxes; where ``crowd`` (``[N]`` bool) is
    set, the intersection over ``box``'s own area instead (COCO's rule for crowd truths)."""
    if len(others) == 0:
        return np.zeros(0)
    x1 = np.maximum(box[0], others[:, 0])
    y1 = np.maximum(box[1], others[:, 1])
    x2 = np.minimum(box[2], others[:, 2])
    y2 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    union = area + areas - inter
    if crowd is not None:
        union = np.where(crowd, area, union)
    return np.asarray(inter / np.maximum(union, 1e-12))


def average_precision(true_positive: Sequence[bool], ground_truths: int) -> float:
    """VOC all-point AP of detections ranked best first (``True`` = true positive)."""
    if ground_truths == 0:
        return 0.0
    tp = np.cumsum(np.asarray(true_positive, dtype=float))
    fp = np.cumsum(1.0 - np.asarray(true_positive, dtype=float))
    recall = np.concatenate([[0.0], tp / ground_truths, [1.0]])
    precision = np.concatenate([[0.0], tp / np.maximum(tp + fp, 1e-12), [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.flatnonzero(recall[1:] != recall[:-1])
    return float(np.sum((recall[steps + 1] - recall[steps]) * precision[steps + 1]))


def _evaluate_class(
    label: int,
    predictions: Mapping[int, Sequence[Prediction]],
    truths: Mapping[int, Sequence[Truth]],
    iou_threshold: float,
    small_only: bool,
) -> tuple[float, int, int, list[tuple[Prediction, Truth]]]:
    def counted(t: Truth) -> bool:
        return not t.crowd and (not small_only or t.area < SMALL_AREA)

    gts = {img: [t for t in ts if t.label == label] for img, ts in truths.items()}
    n_gt = sum(counted(t) for ts in gts.values() for t in ts)
    ranked = sorted(
        ((img, p) for img, ps in predictions.items() for p in ps if p.label == label),
        key=lambda item: -item[1].score,
    )
    taken = {img: np.zeros(len(ts), dtype=bool) for img, ts in gts.items()}
    flags: list[bool] = []
    matches: list[tuple[Prediction, Truth]] = []
    for img, p in ranked:
        candidates = gts.get(img, [])
        boxes = np.array([t.box for t in candidates]).reshape(-1, 4)
        overlaps = iou(p.box, boxes, np.array([t.crowd for t in candidates], dtype=bool))
        scored = np.array([counted(t) for t in candidates], dtype=bool)
        # the counted truths first (as COCO does): a truth the table ignores (crowd, or large in
        # the small table) that overlaps a little more must not hide a counted match
        best = int(np.argmax(np.where(scored, overlaps, -1.0))) if scored.any() else -1
        if best >= 0 and overlaps[best] >= iou_threshold and not taken[img][best]:
            taken[img][best] = True
            flags.append(True)
            matches.append((p, candidates[best]))
        elif (overlaps[~scored] >= iou_threshold).any():
            continue  # on an ignored truth: counts neither way
        elif best >= 0 and overlaps[best] >= iou_threshold:
            flags.append(False)  # a duplicate of a truth already found
        elif small_only and (p.box[2] - p.box[0]) * (p.box[3] - p.box[1]) >= SMALL_AREA:
            continue
        else:
            flags.append(False)
    return average_precision(flags, n_gt), n_gt, len(flags), matches


def evaluate(
    predictions: Mapping[int, Sequence[Prediction]],
    truths: Mapping[int, Sequence[Truth]],
    classes: Sequence[str],
    *,
    iou_threshold: float = 0.5,
) -> Report:
    """Per-class AP, mAP, the small-object table and colour agreement; keys are picture ids."""
    rows, small_rows = [], []
    matched = checked = correct = 0
    for label, name in enumerate(classes, start=1):
        ap, n_gt, n_det, matches = _evaluate_class(
            label, predictions, truths, iou_threshold, small_only=False
        )
        rows.append(ClassAP(name, ap, n_gt, n_det))
        matched += len(matches)
        for p, t in matches:
            if t.colour is not None:
                checked += 1
                correct += p.colour == t.colour
        s_ap, s_gt, s_det, _ = _evaluate_class(
            label, predictions, truths, iou_threshold, small_only=True
        )
        small_rows.append(ClassAP(name, s_ap, s_gt, s_det))
    return Report(rows, _mean(rows), small_rows, _mean(small_rows), matched, checked, correct)


def _mean(rows: Sequence[ClassAP]) -> float:
    scored = [r.ap for r in rows if r.ground_truths > 0]
    return float(np.mean(scored)) if scored else 0.0


def format_table(rows: Sequence[ClassAP], mean: float, title: str) -> str:
    """The seed's layout: one row per class (AP as a percentage), then mAP."""
    width = max([len(r.name) for r in rows] + [5])
    lines = [title, f"{'class':<{width}}  {'AP@0.5':>7}  {'GT':>6}  {'dets':>6}"]
    for r in rows:
        ap = f"{100 * r.ap:6.1f}%" if r.ground_truths else f"{'-':>7}"
        lines.append(f"{r.name:<{width}}  {ap:>7}  {r.ground_truths:>6}  {r.detections:>6}")
    lines.append(f"{'mAP':<{width}}  {100 * mean:6.1f}%")
    return "\n".join(lines)


def format_report(report: Report) -> str:
    """Both tables (all objects, small objects) and the colour agreement."""
    return "\n\n".join(
        [
            format_table(report.classes, report.mAP, "Average precision, IoU 0.5"),
            format_table(report.small, report.small_mAP, "Small objects (< 32x32 pixels), IoU 0.5"),
            f"colour right for {report.colour_correct} of {report.colour_checked} matched "
            f"detections ({100 * report.colour_accuracy:.1f}%)",
        ]
    )
