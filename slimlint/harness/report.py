"""What a verify run prints (a table per fixture) and writes (--report JSON)."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from slimlint.harness.device import DeviceChoice
from slimlint.harness.fixtures import Fixture
from slimlint.harness.verify import FixtureOutcome

_COLUMNS = ("claim", "buggy", "fixed", "verdict")


def _cell_rows(outcome: FixtureOutcome) -> List[Sequence[str]]:
    rows = []
    for v in outcome.verdicts:
        buggy = v.buggy.display if v.buggy else "-"
        if not v.applicable:
            verdict = "n/a (not judged)"
        elif v.proved:
            verdict = "proved (bug shown)" if v.must_fail_when_buggy else "proved"
        else:
            verdict = f"UNPROVED: {v.reason}"
        rows.append((v.claim, buggy, v.fixed.display, verdict))
    return rows


def _table(rows: List[Sequence[str]], header: Sequence[str]) -> List[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _times(outcome: FixtureOutcome) -> str:
    return ", ".join(f"{name} {run.seconds:.1f}s" for name, run in sorted(outcome.runs.items()))


def render_fixture(outcome: FixtureOutcome) -> str:
    fixture = outcome.fixture
    status = "PROVED" if outcome.proved else "UNPROVED"
    lines = [f"{fixture.name}: {status}" + (f"  ({_times(outcome)})" if outcome.runs else "")]
    if fixture.summary:
        lines.append(f"  {fixture.summary}")
    if outcome.fix is not None:
        kind = "fixed program" if fixture.buggy else "clean program"
        note = "fix matches expected/" if fixture.buggy else "no fix, as expected"
        if outcome.fix.source != "slimlint":
            note = "fix taken from expected/ (slimlint.lint unavailable)"
        elif not outcome.fix.ok:
            note = "FIX CHECK FAILED"
        lines.append(f"  {kind}: {note}; batch norm ran on {', '.join(outcome.bn_devices) or 'unknown device'}")
        for problem in outcome.fix.problems:
            lines.append(f"  ! {problem}")
    if outcome.error:
        lines.append(f"  ! {outcome.error}")
    if outcome.nothing_proved:
        lines.append(f"  ! {outcome.nothing_proved}")
    for name, run in sorted(outcome.runs.items()):
        if not run.ok:
            lines.append(f"  ! {name} program: {run.error}; stderr tail:")
            lines.extend("    | " + l for l in (run.stderr_tail or "(empty)").splitlines())
    if outcome.verdicts:
        header = _COLUMNS if fixture.buggy else ("claim", "-", "program", "verdict")
        lines.extend(_table(_cell_rows(outcome), header))
    return "\n".join(lines)


def counts(outcomes: Sequence[FixtureOutcome], not_run: Sequence[Fixture] = ()) -> Dict[str, int]:
    """The summary's figures. A claim that does not apply counts as "n/a", never as proved."""
    verdicts = [v for o in outcomes for v in o.verdicts]
    proved = sum(o.proved for o in outcomes)
    return {
        "run": len(outcomes),
        "proved": proved,
        "unproved": len(outcomes) - proved,
        "not_runnable": len(not_run),
        "claims_proved": sum(v.status == "proved" for v in verdicts),
        "claims_unproved": sum(v.status == "unproved" for v in verdicts),
        "claims_n/a": sum(v.status == "n/a" for v in verdicts),
    }


def render_not_run(not_run: Sequence[Fixture]) -> str:
    """Every fixture the run left out, with why (fixture.toml's `not_run`, or what the fixture shows)."""
    lines = [f"not runnable ({len(not_run)} fixture{'s' if len(not_run) != 1 else ''}, not run):"]
    lines.extend(f"  {f.name}: {f.not_run_reason}" for f in not_run)
    return "\n".join(lines)


def summary_line(outcomes: Sequence[FixtureOutcome], not_run: Sequence[Fixture], seconds: float,
                 device: Optional[DeviceChoice]) -> str:
    c = counts(outcomes, not_run)
    line = (f"{c['run']} run, {c['proved']} proved, {c['unproved']} unproved, {c['not_runnable']} not runnable; "
            f"claims: {c['claims_proved']} proved, {c['claims_unproved']} unproved, {c['claims_n/a']} n/a")
    if not outcomes:
        return line + "; nothing to verify"
    return line + f"; on {device.device} (--device {device.requested}) in {seconds:.1f} s"


def render(outcomes: Sequence[FixtureOutcome], seconds: float, device: Optional[DeviceChoice],
           not_run: Sequence[Fixture] = ()) -> str:
    parts = [render_fixture(o) for o in outcomes]
    if not_run:
        parts.append(render_not_run(not_run))
    parts.append(summary_line(outcomes, not_run, seconds, device))
    return "\n\n".join(parts)


def to_json(outcomes: Sequence[FixtureOutcome], seconds: float, device: Optional[DeviceChoice],
            warnings: Sequence[str], not_run: Sequence[Fixture] = ()) -> dict:
    fixtures = []
    for o in outcomes:
        fixtures.append(
            {
                "name": o.fixture.name,
                "path": str(o.fixture.path),
                "kind": "buggy" if o.fixture.buggy else "clean",
                "proved": o.proved,
                "nothing_proved": o.nothing_proved,
                "error": o.error,
                "fix": None
                if o.fix is None
                else {"source": o.fix.source, "ok": o.fix.ok, "problems": o.fix.problems, "findings": o.fix.findings},
                "bn_devices": o.bn_devices,
                "runs": {
                    name: {
                        "ok": run.ok,
                        "seconds": round(run.seconds, 3),
                        "error": run.error,
                        "stderr_tail": run.stderr_tail if not run.ok else "",
                        "records": run.records,
                    }
                    for name, run in sorted(o.runs.items())
                },
                "claims": [v.to_dict() for v in o.verdicts],
            }
        )
    c = counts(outcomes, not_run)
    return {
        "ok": bool(outcomes) and all(o.proved for o in outcomes),
        "device": None if device is None else {"requested": device.requested, "device": device.device, "env": device.env},
        "seconds": round(seconds, 3),
        "warnings": list(warnings),
        "summary": {
            "run": c["run"],
            "proved": c["proved"],
            "unproved": c["unproved"],
            "not_runnable": c["not_runnable"],
            "claims": {"proved": c["claims_proved"], "unproved": c["claims_unproved"], "n/a": c["claims_n/a"]},
        },
        "fixtures": fixtures,
        "not_run": [
            {"name": f.name, "path": str(f.path), "kind": "buggy" if f.buggy else "clean",
             "findings": len(f.findings), "reason": f.not_run_reason}
            for f in not_run
        ],
    }
