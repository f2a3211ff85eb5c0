"""Orchestrate a verify run: fix each fixture, run buggy and fixed programs in parallel, judge claims."""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from slimlint.harness import claims
from slimlint.harness.device import DeviceChoice
from slimlint.harness.fixing import FixCheck, check_fix
from slimlint.harness.fixtures import Fixture
from slimlint.harness.runner import RunResult, run_program


@dataclass
class FixtureOutcome:
    fixture: Fixture
    fix: Optional[FixCheck] = None
    runs: Dict[str, RunResult] = field(default_factory=dict)  # "buggy" / "fixed", or "clean"
    verdicts: List[claims.Verdict] = field(default_factory=list)
    error: Optional[str] = None  # setting up the fixture failed

    @property
    def judged(self) -> List[claims.Verdict]:
        """The verdicts that count: a claim that does not apply ("n/a") is neither proved nor unproved."""
        return [v for v in self.verdicts if v.applicable]

    @property
    def not_applicable(self) -> List[claims.Verdict]:
        return [v for v in self.verdicts if not v.applicable]

    @property
    def nothing_proved(self) -> Optional[str]:
        """Why a fixture whose programs ran and whose judged claims all passed still proves nothing."""
        if self.error is not None or not self.runs or not all(r.ok for r in self.runs.values()):
            return None
        if not self.judged:
            return "no claim applies: nothing was measured"
        if self.fixture.buggy and not any(v.must_fail_when_buggy for v in self.judged):
            return "no claim in [run] buggy_fails: nothing shows the bug"
        return None

    @property
    def proved(self) -> bool:
        """Every judged claim passed on the fixed (or clean) program, those in buggy_fails failed on the
        buggy one, and at least one claim was judged (and, for a buggy fixture, one showed the bug)."""
        return (
            self.error is None
            and (self.fix is None or self.fix.ok)
            and all(r.ok for r in self.runs.values())
            and bool(self.judged)
            and all(v.proved for v in self.judged)
            and self.nothing_proved is None
        )

    @property
    def bn_devices(self) -> List[str]:
        devices = set()
        for run in self.runs.values():
            for record in run.records:
                devices.update(record.get("bn_devices", []))
        return sorted(devices)


@dataclass
class Job:
    outcome: FixtureOutcome
    variant: str
    workdir: Path


def _prepare(fixture: Fixture, scratch: Path) -> (FixtureOutcome, List[Job]):
    """Temp copies of the program (and of its fixed form), checked by slimlint's own fixer."""
    outcome = FixtureOutcome(fixture)
    base = scratch / fixture.name
    try:
        if not fixture.buggy:
            clean = fixture.copy_program(base / "clean")
            outcome.fix = check_fix(fixture, clean)
            return outcome, [Job(outcome, "clean", clean)]
        buggy = fixture.copy_program(base / "buggy")
        outcome.fix = check_fix(fixture, buggy)
        fixed = fixture.copy_program(base / "fixed")
        for rel, text in outcome.fix.files.items():
            (fixed / rel).write_text(text, encoding="utf-8")
        return outcome, [Job(outcome, "buggy", buggy), Job(outcome, "fixed", fixed)]
    except Exception as exc:
        outcome.error = f"could not prepare the fixture: {type(exc).__name__}: {exc}"
        return outcome, []


def _judge(outcome: FixtureOutcome) -> None:
    if outcome.error or not all(r.ok for r in outcome.runs.values()):
        return
    fixture = outcome.fixture
    if fixture.buggy:
        buggy = claims.measure_all(outcome.runs["buggy"].records, fixture.claims)
        fixed = claims.measure_all(outcome.runs["fixed"].records, fixture.claims)
        outcome.verdicts = [
            claims.judge(c, fixed[c], buggy[c], c in fixture.buggy_fails) for c in fixture.claims
        ]
    else:
        program = claims.measure_all(outcome.runs["clean"].records, fixture.claims)
        outcome.verdicts = [claims.judge(c, program[c]) for c in fixture.claims]


def verify(
    fixtures: Sequence[Fixture],
    device: DeviceChoice,
    jobs: int = 2,
    timeout: float = 180.0,
    keep: Optional[Path] = None,
    on_start: Callable[[Job], None] = lambda job: None,
    on_done: Callable[[Job, RunResult], None] = lambda job, result: None,
) -> List[FixtureOutcome]:
    scratch = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="slimlint-verify-"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        outcomes, work = [], []
        for fixture in fixtures:
            outcome, fixture_jobs = _prepare(fixture, scratch)
            outcomes.append(outcome)
            work.extend(fixture_jobs)
        # Longest first (most steps), so the two workers finish together.
        work.sort(key=lambda job: -len(job.outcome.fixture.steps))

        def run(job: Job) -> RunResult:
            on_start(job)
            fixture = job.outcome.fixture
            return run_program(job.workdir, fixture.steps, fixture.support_dir, device.env, timeout)

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(run, job): job for job in work}
            for future in as_completed(futures):
                job = futures[future]
                result = future.result()
                job.outcome.runs[job.variant] = result
                on_done(job, result)
        for outcome in outcomes:
            _judge(outcome)
        return outcomes
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)
