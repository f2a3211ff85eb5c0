"""`slimlint verify [FIXTURES]...`: prove on real TensorFlow that each fix changes behaviour as claimed.

Exit codes: 0 every fixture run was proved, 1 one was not (a claim unproved, no claim applied, a crash,
a fix that differs from expected/), 2 the harness itself could not run (TensorFlow missing, a broken
fixture.toml, no fixtures at all, no such device), 5 fixtures were found but none is runnable (as pytest's 5,
"no tests collected"). The fixtures left out are listed after the results, each with why.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import time
from pathlib import Path

import click

from slimlint.findings import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

# Fixtures were found, but none of them is runnable (no [run] steps): nothing was verified. pytest exits 5
# when it collected no test; a run that verified nothing is neither a pass (0) nor a usage error (2).
EXIT_NOTHING_TO_RUN = 5

_EPILOG = """\b
Only fixtures whose fixture.toml has [run] steps are run. Every other fixture is
listed after the results with why (its fixture.toml `not_run`, else what the
fixture shows, e.g. "no [run] section") and counted as "not runnable". A claim
that does not apply to a program is shown as "n/a" and counted apart, never as
proved.

\b
Exit codes:
  0  every fixture that ran was proved
  1  a fixture was not proved (a claim unproved, no claim applied, a crash,
     a fix unlike expected/)
  2  the harness could not run (TensorFlow missing, a broken fixture.toml,
     no fixtures at all, no such device)
  5  the fixtures named (or found) are all not runnable: nothing was verified
"""

_HARNESS_PACKAGES = ("tensorflow", "tf_keras", "tf_slim")
_INSTALL_HINT = "pip install 'slimlint[harness]'"


def missing_packages() -> list:
    # find_spec, not import: the parent never pays TensorFlow's import time or memory.
    return [name for name in _HARNESS_PACKAGES if importlib.util.find_spec(name) is None]


class _Progress:
    """One line per program start and end, on stderr (stdout keeps the tables)."""

    def __init__(self, total: int):
        self.total, self.done, self.started = total, 0, time.monotonic()
        self._lock = threading.Lock()

    def _say(self, text: str) -> None:
        with self._lock:
            click.echo(f"[{time.monotonic() - self.started:5.1f}s] {text}", err=True)

    def start(self, job) -> None:
        self._say(f"run   {job.outcome.fixture.name} ({job.variant}): {' then '.join(job.outcome.fixture.steps)}")

    def finish(self, job, result) -> None:
        with self._lock:
            self.done += 1
            done = self.done
        state = "ok" if result.ok else f"FAILED: {result.error}"
        self._say(f"done  {job.outcome.fixture.name} ({job.variant}) {result.seconds:.1f}s {state} [{done}/{self.total}]")


def _none_runnable(not_run) -> str:
    if len(not_run) == 1:
        return f"{not_run[0].name} is not runnable (why: above)"
    return f"none of the {len(not_run)} fixtures is runnable (why: above)"


def _fail(message: str) -> None:
    click.echo(f"slimlint verify: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.command("verify", epilog=_EPILOG)
@click.argument("fixtures", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--device", type=click.Choice(["cpu", "gpu", "auto"]), default="auto", show_default=True,
              help="Where the programs run; auto uses a GPU when TensorFlow sees one.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True,
              help="Programs run at the same time.")
@click.option("--timeout", type=click.FloatRange(min=1), default=180.0, show_default=True,
              help="Seconds one program step may take before it is killed.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the results as JSON to this file.")
@click.option("--keep", "keep_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Run in this folder and keep it (programs, fixed copies, logs) instead of a temporary one.")
def verify(fixtures, device, jobs, timeout, report_path, keep_dir):
    """Run the fixtures' buggy and fixed programs on TensorFlow and check the behavioural claims.

    FIXTURES are fixture folders or folders of fixtures (default: ./fixtures).
    """
    from slimlint.harness.device import DeviceError, probe_gpus, select_device
    from slimlint.harness.fixtures import FixtureError, collect_fixtures, default_fixtures_dir
    from slimlint.harness.report import render, to_json
    from slimlint.harness.verify import verify as run_verify

    if not fixtures:
        default = default_fixtures_dir()
        if default is None:
            _fail("no fixtures given and no ./fixtures folder")
        fixtures = (default,)
    try:
        collected = collect_fixtures(fixtures)
    except FixtureError as exc:
        _fail(str(exc))
    if not collected:
        _fail("no fixtures (a folder with a fixture.toml) in " + ", ".join(map(str, fixtures)))
    found = [f for f in collected if f.runnable]
    not_run = [f for f in collected if not f.runnable]
    if not found:
        # Said before TensorFlow is even looked for: installing it would not make these fixtures run.
        click.echo(render([], 0.0, None, not_run))
        if report_path is not None:
            report_path.write_text(json.dumps(to_json([], 0.0, None, [], not_run), indent=2) + "\n", encoding="utf-8")
        click.echo(f"slimlint verify: nothing to verify: {_none_runnable(not_run)}", err=True)
        sys.exit(EXIT_NOTHING_TO_RUN)

    missing = missing_packages()
    if missing:
        _fail(f"the harness needs {', '.join(missing)} (not installed): {_INSTALL_HINT}")

    try:
        choice = select_device(device, probe_gpus() if device != "cpu" else [])
    except DeviceError as exc:
        _fail(str(exc))

    started = time.monotonic()
    total = sum(2 if f.buggy else 1 for f in found)
    progress = _Progress(total)
    left_out = f"; {len(not_run)} not runnable, listed at the end" if not_run else ""
    click.echo(f"verifying {len(found)} fixtures ({total} programs) on {choice.device}, {jobs} at a time{left_out}",
               err=True)
    try:
        outcomes = run_verify(found, choice, jobs=jobs, timeout=timeout, keep=keep_dir,
                              on_start=progress.start, on_done=progress.finish)
    except Exception as exc:  # a harness bug or a broken environment, not a fixture's failure
        _fail(f"internal error: {type(exc).__name__}: {exc}")
    seconds = time.monotonic() - started

    warnings = sorted({o.fix.warning for o in outcomes if o.fix is not None and o.fix.warning})
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(render(outcomes, seconds, choice, not_run))
    if report_path is not None:
        data = to_json(outcomes, seconds, choice, warnings, not_run)
        report_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    sys.exit(EXIT_OK if all(o.proved for o in outcomes) else EXIT_FINDINGS)


if __name__ == "__main__":
    verify()
