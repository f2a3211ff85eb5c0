"""What a verify run prints (a table per fixture) and writes (--report JSON)."""

from __future__ import annotations

from typing import List, Sequence

from slimlint.harness.device import DeviceChoice
from slimlint.harness.verify import FixtureOutcome

_COLUMNS = ("claim", "buggy", "fixed", "verdict")


def _cell_rows(outcome: FixtureOutcome) -> List[Sequence[str]]:
    rows = []
    for v in outcome.verdicts:
        buggy = v.buggy.display if v.buggy else "-"
        verdict = "proved" if v.proved else "UNPROVED"
        if v.must_fail_when_buggy and v.proved:
            verdict = "proved (bug shown)"
        if not v.proved:
            verdict += f": {v.reason}"
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
    for name, run in sorted(outcome.runs.items()):
        if not run.ok:
            lines.append(f"  ! {name} program: {run.error}; stderr tail:")
            lines.extend("    | " + l for l in (run.stderr_tail or "(empty)").splitlines())
    if outcome.verdicts:
        header = _COLUMNS if fixture.buggy else ("claim", "-", "program", "verdict")
        lines.extend(_table(_cell_rows(outcome), header))
    return "\n".join(lines)


def render(outcomes: Sequence[FixtureOutcome], seconds: float, device: DeviceChoice) -> str:
    parts = [render_fixture(o) for o in outcomes]
    proved = sum(o.proved for o in outcomes)
    parts.append(
        f"{proved}/{len(outcomes)} fixtures proved on {device.device} (--device {device.requested}) in {seconds:.1f} s"
    )
    return "\n\n".join(parts)


def to_json(outcomes: Sequence[FixtureOutcome], seconds: float, device: DeviceChoice, warnings: Sequence[str]) -> dict:
    fixtures = []
    for o in outcomes:
        fixtures.append(
            {
                "name": o.fixture.name,
                "path": str(o.fixture.path),
                "kind": "buggy" if o.fixture.buggy else "clean",
                "proved": o.proved,
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
    return {
        "ok": all(o.proved for o in outcomes),
        "device": {"requested": device.requested, "device": device.device, "env": device.env},
        "seconds": round(seconds, 3),
        "warnings": list(warnings),
        "fixtures": fixtures,
    }
