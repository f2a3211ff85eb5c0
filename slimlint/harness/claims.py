"""Behavioural claims: turn a program's measurement records into numbers and verdicts (pure code).

Records are the JSON lines written in the child process: kind "session" by the probes (one per
closed session) and kind "evaluate" by fixture_support.evaluate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict, Iterable, List, Optional

# Measured on every program (measure_all's default).
CORE_CLAIMS = ("update_ops_run", "moving_stats_moved", "one_image_accuracy", "batch_independence")
# Every known claim, and what a fixture is judged on unless its [run] claims narrows it. update_ops_scoped
# is "n/a" unless the program trains two networks (the probes record `train_ops` only then).
CLAIMS = CORE_CLAIMS + ("update_ops_scoped", "deterministic_predictions")

DESCRIPTIONS = {
    "update_ops_run": "a sentinel in UPDATE_OPS runs once per train step",
    "moving_stats_moved": "every moving_mean / moving_variance moved from 0 / 1",
    "one_image_accuracy": "accuracy with one image per batch >= 0.9, predictions not one class",
    "batch_independence": "in eval mode an image's logits alone equal its logits in a batch",
    "update_ops_scoped": "one network's train op leaves the other network's moving statistics unchanged",
    "deterministic_predictions": "the same images run twice give the same logits and predictions",
}

MIN_ACCURACY = 0.9
MAX_CLASS_SHARE = 0.9  # more than this share of predictions in one class = collapsed
MIN_MOVE = 1e-3  # a moving statistic this far from its initial value has been updated
BATCH_RTOL = 1e-4  # |alone - in batch| <= BATCH_RTOL * max(1, |logits|): float reordering, not batch stats


@dataclass
class Measurement:
    """One claim measured on one program. passed None = not applicable (nothing to measure)."""

    value: Optional[float]
    passed: Optional[bool]
    display: str

    def to_dict(self) -> dict:
        return asdict(self)


NOT_APPLICABLE = Measurement(None, None, "n/a")


def _last(records: List[dict], kind: str, where=lambda r: True) -> Optional[dict]:
    chosen = [r for r in records if r.get("kind") == kind and where(r)]
    return chosen[-1] if chosen else None


def _trained(record: dict) -> bool:
    return record.get("train_steps", 0) > 0


def update_ops_run(records: List[dict]) -> Measurement:
    session = _last(records, "session", _trained)
    if session is None:
        return Measurement(None, None, "n/a (no train step ran)")
    runs, steps = session.get("sentinel_runs", []), session["train_steps"]
    if not runs:
        return Measurement(None, None, "n/a (no update ops)")
    least = min(runs)
    return Measurement(least / steps, all(r == steps for r in runs), f"{least}/{steps} steps")


def moving_stats_moved(records: List[dict]) -> Measurement:
    session = _last(records, "session", _trained)
    if session is None:
        return Measurement(None, None, "n/a (no train step ran)")
    stats = session.get("moving_stats", [])
    errors = [s["error"] for s in stats if "error" in s]
    if errors:
        return Measurement(None, False, f"unreadable: {errors[0]}")
    if not stats:
        return Measurement(None, None, "n/a (no batch norm)")
    least = min(s["moved"] for s in stats)
    moved = sum(s["moved"] > MIN_MOVE for s in stats)
    largest_mean = max((s["norm"] for s in stats if s["name"].endswith("moving_mean")), default=0.0)
    return Measurement(
        least,
        moved == len(stats),
        f"{moved}/{len(stats)} moved, min {least:.3g}, |mean| {largest_mean:.3g}",
    )


def one_image_accuracy(records: List[dict]) -> Measurement:
    evaluation = _last(records, "evaluate")
    if evaluation is None:
        return Measurement(None, None, "n/a (not evaluated)")
    accuracy = evaluation["one_image_accuracy"]
    histogram = evaluation["predicted_classes"]
    share = max(histogram) / max(1, sum(histogram))
    passed = accuracy >= MIN_ACCURACY and share <= MAX_CLASS_SHARE
    return Measurement(accuracy, passed, f"{accuracy:.2f} pred {histogram}")


def batch_independence(records: List[dict]) -> Measurement:
    evaluation = _last(records, "evaluate")
    if evaluation is None:
        return Measurement(None, None, "n/a (not evaluated)")
    diff = evaluation["batch_max_abs_diff"]
    tolerance = BATCH_RTOL * max(1.0, evaluation.get("logit_scale", 1.0))
    return Measurement(diff, diff <= tolerance, f"max diff {diff:.2g}")


def _top_scope(name: str) -> str:
    return name.split("/")[0]


def update_ops_scoped(records: List[dict]) -> Measurement:
    """Only for programs whose train ops update two or more top-level scopes (the probes record
    `train_ops` only then): did a run of one train op change another scope's moving statistics?"""
    session = _last(records, "session", _trained)
    if session is None:
        return Measurement(None, None, "n/a (no train step ran)")
    train_ops = session.get("train_ops")
    if not train_ops:
        return Measurement(None, None, "n/a (not two networks)")
    measured = [t for t in train_ops if t.get("probed_runs", 0) > 0]
    if len({tuple(t["scopes"]) for t in measured}) < 2:
        return Measurement(None, None, "n/a (no train op of two networks ran alone)")
    crossed = {}  # (train op scopes, other network's moving stat) -> largest change
    for t in measured:
        own = set(t["scopes"])
        for name, change in t.get("stat_changes", {}).items():
            if _top_scope(name) not in own:
                crossed[(tuple(t["scopes"]), name)] = change
    if not crossed:
        return Measurement(None, None, "n/a (no batch norm outside a train op's scopes)")
    worst = max(crossed.values())
    changed = sum(change > 0.0 for change in crossed.values())
    return Measurement(worst, changed == 0, f"{changed}/{len(crossed)} other-net stats changed, max {worst:.3g}")


def deterministic_predictions(records: List[dict]) -> Measurement:
    """Only for programs that run their evaluation images twice (fixture_support.repeat_predictions):
    dropout left on answers the same image differently from one run to the next."""
    repeat = _last(records, "repeat")
    if repeat is None:
        return Measurement(None, None, "n/a (not run twice)")
    diff, changed = repeat["max_abs_diff"], repeat["changed_predictions"]
    tolerance = BATCH_RTOL * max(1.0, repeat.get("logit_scale", 1.0))
    return Measurement(diff, diff <= tolerance and changed == 0,
                       f"max diff {diff:.2g}, {changed}/{repeat['images']} predictions changed")


MEASURES = {
    "update_ops_run": update_ops_run,
    "moving_stats_moved": moving_stats_moved,
    "one_image_accuracy": one_image_accuracy,
    "batch_independence": batch_independence,
    "update_ops_scoped": update_ops_scoped,
    "deterministic_predictions": deterministic_predictions,
}


def measure_all(records: Iterable[dict], names: Iterable[str] = CORE_CLAIMS) -> Dict[str, Measurement]:
    records = list(records)
    return {name: MEASURES[name](records) for name in names}


@dataclass
class Verdict:
    claim: str
    buggy: Optional[Measurement]  # None for a clean fixture (one program only)
    fixed: Measurement  # the fixed program, or the clean program
    must_fail_when_buggy: bool
    proved: bool  # never True for a claim that does not apply
    reason: str
    applicable: bool = True  # False: nothing to measure on the fixed (or clean) program, so not judged

    @property
    def status(self) -> str:
        """"proved", "unproved" or "n/a" (not judged: counts neither for nor against the fixture)."""
        if not self.applicable:
            return "n/a"
        return "proved" if self.proved else "unproved"

    def to_dict(self) -> dict:
        return {
            "claim": self.claim,
            "buggy": self.buggy.to_dict() if self.buggy else None,
            "fixed": self.fixed.to_dict(),
            "must_fail_when_buggy": self.must_fail_when_buggy,
            "status": self.status,
            "proved": self.proved,
            "reason": self.reason,
        }


def judge(
    claim: str,
    fixed: Measurement,
    buggy: Optional[Measurement] = None,
    must_fail_when_buggy: bool = False,
) -> Verdict:
    """A buggy program must fail the claims buggy_fails lists; the fixed (or clean) one passes them all.

    A claim with nothing to measure on the fixed or clean program is "n/a": not judged, so neither
    proved nor unproved (a fixture whose claims are all n/a proves nothing). A claim the buggy program
    must fail is never n/a: it has to be shown, both ways, or it is unproved.
    """
    if fixed.passed is False:
        return Verdict(claim, buggy, fixed, must_fail_when_buggy, False, "fixed program fails it")
    if must_fail_when_buggy:
        if buggy is None or buggy.passed is None:
            return Verdict(claim, buggy, fixed, True, False, "buggy program: nothing measured")
        if buggy.passed:
            return Verdict(claim, buggy, fixed, True, False, "buggy program passes it")
        if fixed.passed is None:
            return Verdict(claim, buggy, fixed, True, False, "fixed program: nothing measured")
        return Verdict(claim, buggy, fixed, True, True, "buggy fails, fixed passes")
    if fixed.passed is None:
        return Verdict(claim, buggy, fixed, False, False, "not applicable", applicable=False)
    return Verdict(claim, buggy, fixed, False, True, "passes")
