"""VOC AP at IoU 0.5 on hand-made cases, checked against hand-computed values."""

from __future__ import annotations

import pytest

from trendminer.vision.evaluation import (
    Prediction,
    Truth,
    average_precision,
    evaluate,
    format_report,
)

A = (0.0, 0.0, 100.0, 100.0)
B = (200.0, 200.0, 300.0, 300.0)
FAR = (500.0, 500.0, 600.0, 600.0)
SMALL = (10.0, 10.0, 30.0, 30.0)


def test_average_precision_all_point() -> None:
    # TP, FP, TP over 2 ground truths: precision 1 at recall .5, 2/3 at recall 1.
    assert average_precision([True, False, True], 2) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    # FP first: precision 1/2 at recall .5, 2/3 at recall 1 -> monotone: 2/3 at both.
    assert average_precision([False, True, True], 2) == pytest.approx(2 / 3)
    # Half the ground truths never found.
    assert average_precision([True], 2) == pytest.approx(0.5)
    assert average_precision([], 3) == 0.0


def test_evaluate_matches_by_score_class_and_iou() -> None:
    truths = {
        1: [Truth(1, A, 10000, colour="Red"), Truth(1, B, 10000, colour="Blue")],
        2: [Truth(2, A, 10000, colour="Black")],
    }
    predictions = {
        1: [
            Prediction(1, 0.9, (0.0, 0.0, 100.0, 90.0), "Red"),  # IoU .9: TP
            Prediction(1, 0.8, (0.0, 0.0, 100.0, 95.0), "Red"),  # same truth again: FP
            Prediction(1, 0.7, FAR, "Red"),  # nothing there: FP
            Prediction(1, 0.6, (200.0, 200.0, 300.0, 260.0), "Red"),  # IoU .6: TP, wrong colour
            Prediction(2, 0.95, A, "Black"),  # right box, other class: FP for class 2 in pic 1
        ],
        2: [Prediction(2, 0.5, (0.0, 0.0, 100.0, 40.0), "Black")],  # IoU .4: FP
    }
    report = evaluate(predictions, truths, ["top", "pants", "bag"])
    top, pants, bag = report.classes
    # class 1 ranked TP, FP, FP, TP over 2 truths: 1.0 at r=.5, 0.5 at r=1.
    assert top.ap == pytest.approx(0.5 * 1.0 + 0.5 * 0.5)
    assert (top.ground_truths, top.detections) == (2, 4)
    assert pants.ap == 0.0
    assert bag.ground_truths == 0
    assert report.mAP == pytest.approx((0.75 + 0.0) / 2)  # classes without truth left out
    assert (report.matched, report.colour_checked, report.colour_correct) == (2, 2, 1)
    assert report.summary()["colour_accuracy"] == 0.5
    assert report.summary()["per_class_AP"] == {"top": 0.75, "pants": 0.0, "bag": None}
    text = format_report(report)
    top_line = next(line for line in text.splitlines() if line.startswith("top "))
    assert top_line.split()[1:] == ["75.0%", "2", "4"]
    assert "Small objects" in text
    assert text.splitlines()[1 + 4].split() == ["mAP", "37.5%"]


def test_crowd_truths_count_neither_way() -> None:
    truths = {1: [Truth(1, A, 10000), Truth(1, B, 10000, crowd=True)]}
    predictions = {1: [Prediction(1, 0.9, B), Prediction(1, 0.8, A)]}
    report = evaluate(predictions, truths, ["top"])
    assert report.classes[0].ap == pytest.approx(1.0)
    assert report.classes[0].ground_truths == 1


def test_small_object_table_ignores_large_truths_and_detections() -> None:
    truths = {1: [Truth(1, SMALL, 400), Truth(1, A, 10000)]}
    predictions = {
        1: [
            Prediction(1, 0.9, A),  # on a large truth: ignored in the small table
            Prediction(1, 0.8, FAR),  # large, unmatched: ignored there
            Prediction(1, 0.7, (480.0, 480.0, 490.0, 490.0)),  # small, unmatched: FP
            Prediction(1, 0.6, SMALL),  # TP
        ]
    }
    report = evaluate(predictions, truths, ["top"])
    assert report.small[0].ground_truths == 1
    assert report.small_mAP == pytest.approx(0.5)  # FP then TP: precision 1/2 at recall 1
    assert report.classes[0].ap == pytest.approx(0.5 * 1.0 + 0.5 * 2 / 4)


def test_a_larger_truth_the_small_table_ignores_does_not_hide_a_small_match() -> None:
    """The detection overlaps the ignored 33 px truth (IoU .94) a little more than the counted
    30 px one (IoU .88): it matches the counted one, as in COCO."""
    truths = {1: [Truth(1, (0.0, 0.0, 30.0, 30.0), 900), Truth(1, (0.0, 0.0, 33.0, 33.0), 1089)]}
    predictions = {1: [Prediction(1, 0.9, (0.0, 0.0, 32.0, 32.0))]}
    report = evaluate(predictions, truths, ["top"])
    assert report.small[0].ground_truths == 1
    assert report.small[0].detections == 1
    assert report.small_mAP == pytest.approx(1.0)


def test_a_duplicate_on_a_crowd_truth_counts_neither_way() -> None:
    """The second detection's best counted truth (IoU .83) is taken, but it lies on the crowd."""
    truths = {
        1: [Truth(1, A, 10000), Truth(1, (0.0, 0.0, 100.0, 120.0), 12000, crowd=True)],
        2: [Truth(1, B, 10000)],
    }
    predictions = {
        1: [Prediction(1, 0.9, A), Prediction(1, 0.8, (0.0, 0.0, 100.0, 120.0))],
        2: [Prediction(1, 0.7, B)],
    }
    top = evaluate(predictions, truths, ["top"]).classes[0]
    # TP, TP over 2 truths (a false positive would give 0.5 * 1 + 0.5 * 2/3)
    assert top.ap == pytest.approx(1.0)
    assert (top.ground_truths, top.detections) == (2, 2)


def test_a_detection_inside_a_crowd_region_counts_neither_way() -> None:
    """IoU with the 200 px crowd box is .06, but the detection lies wholly inside it."""
    truths = {1: [Truth(1, (0.0, 0.0, 200.0, 200.0), 40000, crowd=True), Truth(1, B, 10000)]}
    predictions = {1: [Prediction(1, 0.9, (10.0, 10.0, 60.0, 60.0)), Prediction(1, 0.8, B)]}
    top = evaluate(predictions, truths, ["top"]).classes[0]
    assert top.ap == pytest.approx(1.0)  # FP, TP would give 0.5
    assert top.detections == 1


def test_a_duplicate_on_a_large_truth_is_ignored_in_the_small_table() -> None:
    """The second detection repeats the small truth (IoU .75, taken) but is the large one."""
    small, large, other = (
        (0.0, 0.0, 30.0, 30.0),
        (0.0, 0.0, 30.0, 40.0),
        (100.0, 100.0, 120.0, 120.0),
    )
    truths = {1: [Truth(1, small, 900), Truth(1, large, 1200), Truth(1, other, 400)]}
    predictions = {
        1: [Prediction(1, 0.9, small), Prediction(1, 0.8, large), Prediction(1, 0.7, other)]
    }
    report = evaluate(predictions, truths, ["top"])
    assert report.small[0].ap == pytest.approx(1.0)  # TP, FP, TP would give 0.5 + 0.5 * 2/3
    assert (report.small[0].ground_truths, report.small[0].detections) == (2, 2)
    assert report.classes[0].ap == pytest.approx(1.0)
