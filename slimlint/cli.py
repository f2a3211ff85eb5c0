"""The command line: `slimlint [check] [PATHS]`, `slimlint rule CODE`, `slimlint verify`.

Exit codes: 0 nothing left to report, 1 findings remain (or fixes were made, with
--exit-non-zero-on-fix), 2 usage, configuration or internal error, or a file that could not be checked,
130 / 143 interrupted by Ctrl-C / SIGTERM (under --fix, after finishing the file being written).
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import List, Optional, Tuple

import click

from slimlint import __version__, trusted
from slimlint.findings import EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK

CACHE_DIR_NAME = ".slimlint_cache"
_EPILOG = ("Exit codes: 0 nothing to report, 1 findings remain, 2 usage, configuration or internal error, "
           "130 / 143 interrupted by Ctrl-C / SIGTERM.")


_GROUP_OPTIONS = ("--help", "-h", "--version", "-V")


class _DefaultToCheck(click.Group):
    """`slimlint PATHS` means `slimlint check PATHS`, as with ruff's old CLI."""

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in _GROUP_OPTIONS):
            if args:
                _refuse_mistyped_command(args[0], self.commands)
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _refuse_mistyped_command(word: str, commands) -> None:
    """`slimlint chek` / `slimlint rules`: a word close to a command name that is not a path is a typo,
    not a missing file to report as such."""
    import difflib

    if word.startswith("-") or os.path.lexists(word) or any(c in word for c in "/\\.*"):
        return
    close = difflib.get_close_matches(word, list(commands), n=1, cutoff=0.6)
    if close:
        _fail(f"unknown command '{word}' (did you mean '{close[0]}'?)")


class _CheckCommand(click.Command):
    """Suggestions for a mistyped option leave out hidden options (click offers them too)."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            hidden = {name for p in self.params if getattr(p, "hidden", False) for name in p.opts}
            if exc.possibilities:
                exc.possibilities = [p for p in exc.possibilities if p not in hidden]
            raise


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]}, epilog=_EPILOG)
@click.version_option(__version__, "-V", "--version", prog_name="slimlint")
def main() -> None:
    """slimlint: find and fix TF-Slim / TF1 batch-norm and train/eval-mode mistakes."""


@main.command(cls=_CheckCommand, epilog=_EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--fix", is_flag=True, help="Rewrite the files in place with the safe fixes (every fix changes runtime behaviour).")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None, help="Apply (and count as fixable) the unsafe fixes too; see each rule's 'Fix safety'.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` to every reported line (adopt slimlint in a legacy repository), then exit 0.")
@click.option("--show-fixes", is_flag=True, help="With --fix: list the fixes applied, per file and rule.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--select", help="Comma-separated rule codes or prefixes to enable (replaces the configured set).")
@click.option("--extend-select", help="Codes or prefixes to enable on top of the selection.")
@click.option("--ignore", help="Codes or prefixes to disable.")
@click.option("--output-format", type=click.Choice(["text", "concise", "json", "github", "sarif"]), default="text", show_default=True,
              help="text: each finding with its source line, fix and behaviour change (ruff's `full`); concise: one line each.")
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of each finding.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when fixes were applied, even if nothing remains.")
@click.option("--stdin-filename", help="The path of the file read from stdin (`-`), for roles and messages.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Use the [tool.slimlint] table of this TOML file (its folder is the project root) instead of the nearest pyproject.toml.")
@click.option("--train-op-fix", type=click.Choice(["create-train-op", "control-dependencies"]), help="The form of the SL101/SL102 fix.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Cache folder (default: .slimlint_cache beside the pyproject.toml that configures the run, else in the working directory).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: one per core).")
@click.option("--no-prefilter", is_flag=True, hidden=True, help="Parse every file (to check the prefilter is loss-free).")
def check(paths, no_prefilter, **options) -> None:
    """Check PATHS (default: the current directory); `-` reads standard input."""
    from slimlint import replay
    from slimlint.check_options import CheckOptions

    opts = CheckOptions(use_prefilter=not no_prefilter, **options)
    if opts.add_noqa and (opts.computes_fixes or "-" in paths):
        _fail("--add-noqa cannot be combined with --fix, --diff or standard input")
    if not (opts.computes_fixes or opts.add_noqa or opts.no_cache or "-" in paths):
        replay.record()  # a pure check: what it looks at is recorded, and its report replayed while unchanged
    settings, pyproject = _load_settings(paths, opts)
    if opts.cache_dir is None:
        opts = replace(opts, cache_dir=_default_cache_dir(pyproject))
    try:
        code = _check_stdin(settings, opts) if "-" in paths else _check_paths(settings, list(paths) or ["."], opts)
    except KeyboardInterrupt:
        _fail("interrupted", code=EXIT_INTERRUPTED)  # while checking; while writing fixes, _apply stops cleanly
    except Exception as exc:  # the last line of defence: one line, exit 2, never a traceback
        _fail(f"internal error: {type(exc).__name__}: {exc} (please report this)")
    sys.exit(code)


def _default_cache_dir(pyproject: Optional[Path]) -> Optional[Path]:
    """As ruff: beside the configuration, else in the working directory; never inside whichever folder was
    named (a package's source, a checkout's subfolder). None when the working directory is gone."""
    try:
        return (pyproject.parent if pyproject is not None else Path.cwd()) / CACHE_DIR_NAME
    except OSError:
        return None


def _load_settings(paths, opts):
    """The [tool.slimlint] settings for this run, with the command line's overrides; a bad file ends the run."""
    from slimlint import replay
    from slimlint.codes import CODES
    from slimlint.config import ConfigError, load_settings

    named = opts.stdin_filename
    start = Path(named).parent if named else Path(paths[0]) if paths and paths[0] != "-" else Path.cwd()
    config_path = opts.config_path
    try:
        if config_path is not None:
            replay.watch(config_path)
            if not config_path.exists():
                raise ConfigError(f"{config_path}: no such configuration file")
            if not config_path.is_file():
                raise ConfigError(f"{config_path}: not a regular file")
        return load_settings(start if start.is_dir() else start.parent, overrides=opts.config_overrides(),
                             known_codes=CODES, config_file=config_path)
    except ConfigError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot read the configuration: {exc}")


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    click.echo(f"slimlint: error: {message}", err=True)
    sys.exit(code)


def _rule_meta(output_format: str):
    if output_format != "sarif":
        return []  # only SARIF carries the rule table; the rules import LibCST, which a warm run never needs
    from slimlint.rules import ALL_RULES

    return list(ALL_RULES)


def _report(findings, output_format, statistics, fixed_count, errors, stream=None, unsafe_fixes=False) -> str:
    from slimlint.output import render
    from slimlint.output.text import format_error

    out = render(findings, output_format, fixed_count=fixed_count, statistics=statistics, errors=errors,
                 rules=_rule_meta(output_format), unsafe_fixes=unsafe_fixes)
    if out:
        _emit(out, stream)
    if output_format == "json":
        for path, message in errors:
            click.echo(format_error(path, message), err=True)
    return out


def _emit(data, stream=None) -> None:
    """Print a report, a diff or (bytes) fixed source; a reader that has gone (`| head`) is not an error, a
    full disk is (replay._print does the same for a replayed report)."""
    from slimlint import replay

    try:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            click.echo(data, nl=False, file=stream)
    except BrokenPipeError:
        replay.silence_stdout()
    except OSError as exc:
        replay.silence_stdout()
        _fail(f"cannot write the report: {exc.strerror or exc}")


def _exit_code(findings, errors, fixed_count, opts) -> int:
    if errors:
        return EXIT_ERROR
    if opts.exit_non_zero_on_fix and fixed_count:
        return EXIT_FINDINGS
    if findings and not opts.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def _diff_text(display: str, old: str, new: str) -> str:
    # difflib leaves a last line without its newline as it is: mark it, as `diff -u` does, so `patch` applies it.
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{display}", f"b/{display}"))


def _fixed_diff(display: str, source, fixed: bytes) -> str:
    if source.notebook is not None:
        from slimlint import notebook

        return notebook.diff(display, source, fixed)  # per changed cell, as ruff
    old, new = source.text, fixed.decode(source.encoding)
    if source.old_mac:  # lines that end in a lone CR, shown one per line
        old, new = old.replace("\r", "\n"), new.replace("\r", "\n")
    return _diff_text(display, old, new)


class _Applied:
    """What the run's outcomes add up to once their fixes are written (or diffed)."""

    def __init__(self) -> None:
        self.findings: list = []
        self.errors: List[Tuple[str, str]] = []
        self.fixed_count = 0
        self.written: List[str] = []  # files rewritten on disk, in order
        self.not_written = 0  # files whose fixes an interrupt kept from being written
        self.diffs: List[str] = []
        self.interrupted = None  # interrupts.Held, when a signal stopped the writing
        self.fixed_by_file: List[Tuple[str, dict]] = []  # (file, {code: fixes applied}) for --show-fixes


def _check_paths(settings, paths, opts) -> int:
    from slimlint import replay
    from slimlint.scheduler import run_units

    cache_dir = _usable_cache_dir(settings, opts)
    units, errors = _units_to_check(paths, settings)
    results = run_units(units, settings, fix=opts.computes_fixes, need_edits=opts.needs_edits, jobs=opts.jobs,
                        cache_dir=cache_dir, use_prefilter=opts.use_prefilter)
    if opts.add_noqa:
        return _add_noqa(results, errors)
    applied = _apply(results, opts)
    applied.errors[:0] = errors
    if opts.diff:
        return _finish_diff(applied, results, opts)
    out = _report(applied.findings, opts.output_format, opts.statistics, applied.fixed_count, applied.errors,
                  unsafe_fixes=settings.unsafe_fixes)
    if opts.show_fixes and opts.fix and opts.output_format == "text":
        _emit(_fixes_shown(applied.fixed_by_file))
    if applied.interrupted is not None:
        return _finish_interrupted(applied)
    code = _exit_code(applied.findings, applied.errors, applied.fixed_count, opts)
    if applied.errors or cache_dir is None:
        replay.abandon()  # an error is reported afresh every time
    else:
        replay.finish(cache_dir, out, code)
    return code


def _usable_cache_dir(settings, opts) -> Optional[Path]:
    """The cache folder to use, or None: no cache for fixes, when asked, or in a folder others control."""
    from slimlint.scheduler import prepare_cache_dir

    if opts.no_cache or opts.computes_fixes or opts.cache_dir is None:
        return None  # fixes are never cached
    cache_dir = opts.cache_dir
    prepare_cache_dir(cache_dir)
    if os.path.isdir(cache_dir) and not trusted.folder_is_private(os.fspath(cache_dir)):
        # A folder another user owns or can write could feed this run its answers.
        click.echo(f"slimlint: warning: not using the cache folder {cache_dir}: it is owned by another user "
                   "or others can write to it", err=True)
        return None
    return cache_dir


def _units_to_check(paths, settings):
    """The units to check (the named files, then the project's other files as context) and discovery's errors."""
    from slimlint import replay
    from slimlint.discovery import discover
    from slimlint.lint import units_for

    found = discover([Path(p) for p in paths], settings)
    if not found.files and not found.errors:
        click.echo("slimlint: warning: no Python files found under the given path(s)", err=True)
    units = units_for(found.files, settings, read=False)  # read by the runner (for the cache key, or to check)
    units += _context_units(paths, found.files, settings)
    for unit in units:
        replay.watch(unit.path)
    return units, list(found.errors)


def _apply(results, opts) -> "_Applied":
    """Collect findings and errors, and write each file's fixes (or diff them).

    A first Ctrl-C / SIGTERM stops the writing between two files; a second one rolls back the file being
    written (interrupts.py). Either way the files not written keep their findings, reported as unfixed.
    """
    from slimlint import interrupts

    applied = _Applied()
    checked = [(unit, outcome) for unit, outcome in results if not unit.context]
    done = 0
    with interrupts.held() as held:
        try:
            for unit, outcome in checked:
                if held.received is not None:
                    break
                _apply_one(unit, outcome, opts, applied)
                done += 1
        except KeyboardInterrupt:
            held.received = held.received or interrupts.signal.SIGINT
    for unit, outcome in checked[done:]:
        if outcome.error:
            applied.errors.append((unit.display, outcome.error))
        applied.not_written += outcome.fixed is not None
        applied.findings.extend(outcome.unfixed_findings if outcome.fixed is not None else outcome.findings)
    if held.received is not None:
        applied.interrupted = held
    return applied


def _apply_one(unit, outcome, opts, applied) -> None:
    if outcome.error:
        applied.errors.append((unit.display, outcome.error))
    if outcome.fixed is None or _write_or_diff(unit, outcome, opts, applied):
        applied.findings.extend(outcome.findings)


def _write_or_diff(unit, outcome, opts, applied) -> bool:
    """Write one file's fixes (or keep its diff); False when the write was refused (its findings stay unfixed)."""
    from slimlint.writer import WriteError, write_fixed

    if opts.diff:
        applied.diffs.append(_fixed_diff(unit.display, unit.source, outcome.fixed))
    else:
        try:
            write_fixed(unit.path, unit.source, outcome.fixed)
        except WriteError as exc:
            applied.errors.append((unit.display, exc.reason))
            applied.findings.extend(outcome.unfixed_findings)  # not fixed after all: every format still shows them
            return False
        if outcome.fixed != unit.source.raw:
            applied.written.append(unit.display)
            applied.fixed_by_file.append((unit.display, _codes_fixed(outcome)))
    applied.fixed_count += outcome.fixes_applied
    return True


def _add_noqa(results, errors) -> int:
    """Write `# noqa: CODE` on each reported line (not SL900, whose file does not parse, nor SL901)."""
    from slimlint.add_noqa import add_noqa
    from slimlint.writer import WriteError, write_fixed

    added = skipped = 0
    errors = list(errors)
    for unit, outcome in results:
        rows: dict = {}
        for finding in outcome.findings:
            if finding.code not in ("SL900", "SL901") and finding.noqa_row:
                row = unit.source.notebook.program_line(finding.cell, finding.noqa_row) if finding.cell else finding.noqa_row
                rows.setdefault(row, set()).add(finding.code)
        if outcome.error:
            errors.append((unit.display, outcome.error))
        if unit.context or not rows or unit.path is None:
            continue
        text, n_added, n_skipped = add_noqa(unit.source.text, rows)
        skipped += n_skipped
        if n_added:
            try:
                write_fixed(unit.path, unit.source, unit.source.encode(text))
                added += n_added
            except WriteError as exc:
                errors.append((unit.display, exc.reason))
    for path, message in errors:
        click.echo(f"{path}: error: {message}", err=True)
    click.echo(f"Added {added} noqa directive{'s' if added != 1 else ''}." + (
        f" {skipped} reported line(s) cannot take a comment (inside a multi-line string, a continued line, or a "
        "file that does not tokenize): suppress those by hand." if skipped else ""), err=True)
    return EXIT_ERROR if errors else EXIT_OK


def _codes_fixed(outcome) -> dict:
    """{code: count} of the findings a file's fixes removed."""
    from collections import Counter

    return dict(Counter(f.code for f in outcome.unfixed_findings) - Counter(f.code for f in outcome.findings))


def _fixes_shown(fixed_by_file) -> str:
    """ruff's --show-fixes listing: `Fixed N errors:` then each file and `count × CODE`."""
    total = sum(sum(codes.values()) for _, codes in fixed_by_file)
    if not total:
        return "No errors were fixed.\n"
    lines = [f"Fixed {total} error{'s' if total != 1 else ''}:"]
    for display, codes in fixed_by_file:
        lines.append(f"- {display}:")
        lines += [f"    {count} \u00d7 {code}" for code, count in sorted(codes.items())]
    return "\n".join(lines) + "\n"


def _finish_diff(applied, results, opts) -> int:
    _emit("".join(applied.diffs))
    if applied.errors:
        for path, message in applied.errors:
            click.echo(f"{path}: error: {message}", err=True)
        return EXIT_ERROR
    count = sum(o.fixes_applied for _, o in results)
    click.echo(f"Would fix {count} error{'s' if count != 1 else ''}." if count else "No errors would be fixed.", err=True)
    return EXIT_FINDINGS if count else EXIT_OK  # as ruff: --diff fails when it would change something


def _finish_interrupted(applied) -> int:
    """Say what an interrupted --fix did: which files it rewrote, how many it left as they were."""
    from slimlint import replay

    replay.abandon()
    held = applied.interrupted
    name = "SIGTERM" if held.exit_code() == 143 else "Ctrl-C"
    click.echo(f"slimlint: interrupted ({name}): {len(applied.written)} file(s) rewritten before the stop, "
               f"{applied.not_written} file(s) with fixes left unchanged", err=True)
    for display in applied.written:
        click.echo(f"  rewritten: {display}", err=True)
    return held.exit_code()


def _context_units(paths, files, settings) -> list:
    """When files are named one by one (pre-commit passes only the changed ones), the rest of the project
    is read as context, never reported: a train script's finding depends on the model module it imports.
    """
    if not any(Path(p).is_file() for p in paths):
        return []
    return _project_context(files, settings)


def _project_context(files, settings) -> list:
    """Every other file of the project as context units (buffers.project_context), saying which were too big."""
    from slimlint.buffers import project_context, too_big_note

    units, too_big = project_context(files, settings)
    if too_big:
        click.echo(f"note: {too_big_note(too_big, settings)}", err=True)
    return units


def _check_stdin(settings, opts) -> int:
    from slimlint.buffers import buffer_unit, check_buffer
    from slimlint.source import SourceError, read_stdin

    filename = opts.stdin_filename or "-"
    try:
        unit = buffer_unit(opts.stdin_filename, settings, source=read_stdin(filename))
    except SourceError as exc:
        unit = buffer_unit(opts.stdin_filename, settings, error=exc.reason)
    # Named (`--stdin-filename train.py`), it is judged with the project around it, as `slimlint train.py`
    # would be: editors lint the unsaved buffer through stdin, and its model module is on disk.
    context = _project_context([Path(filename)], settings) if filename != "-" else []
    outcome = check_buffer(unit, context, settings, fix=opts.computes_fixes, need_edits=opts.needs_edits)
    errors = [(unit.display, outcome.error)] if outcome.error else []
    if opts.diff:
        if outcome.fixed is not None:
            _emit(_fixed_diff(filename, unit.source, outcome.fixed))
        return EXIT_ERROR if errors else (EXIT_FINDINGS if outcome.fixed is not None else EXIT_OK)
    if opts.fix:
        # Like ruff: the fixed source goes to stdout, the report to stderr.
        data = outcome.fixed if outcome.fixed is not None else (unit.source.raw if unit.source else b"")
        _emit(data)
        _report(outcome.findings, opts.output_format, opts.statistics, outcome.fixes_applied, errors, stream=sys.stderr,
                unsafe_fixes=settings.unsafe_fixes)
    else:
        _report(outcome.findings, opts.output_format, opts.statistics, 0, errors, unsafe_fixes=settings.unsafe_fixes)
    return _exit_code(outcome.findings, errors, outcome.fixes_applied, opts)


@main.command(epilog="Exit codes: 0 after the client's shutdown and exit, 1 when the client went away without "
                     "them, 2 when pygls is not installed.")
@click.option("--stdio", is_flag=True, hidden=True, help="Accepted and ignored: stdio is the only transport (some clients pass it).")
def server(stdio) -> None:
    """Run the Language Server Protocol server over stdio, for editors (needs the `server` extra)."""
    from slimlint.server import serve

    sys.exit(serve())


@main.command(epilog=_EPILOG)
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rule(code, show_all, output_format) -> None:
    """Explain a rule: what it does, why it matters for the model, example, fixed form, fix safety."""
    import json

    from slimlint.rules import ALL_RULES, BY_CODE

    if show_all or code is None:
        if output_format == "json":
            click.echo(json.dumps([{"code": r.code, "name": r.name, "summary": r.summary, "fix": bool(r.behaviour_change)} for r in ALL_RULES], indent=2))
        else:
            for r in ALL_RULES:
                click.echo(f"{r.code}  {r.name:<40} {'[*] ' if r.behaviour_change else '    '}{r.summary}")
        return
    found = BY_CODE.get(code.upper())
    if found is None:
        _fail(f"unknown rule code {code!r} (known: {', '.join(BY_CODE)})")
    if output_format == "json":
        click.echo(json.dumps({"code": found.code, "name": found.name, "summary": found.summary, "explanation": found.docs()}, indent=2))
    else:
        click.echo(found.docs(), nl=False)


def _register_verify() -> None:
    try:
        from slimlint.harness.command import verify
    except ImportError:  # the harness package is optional at import time; its own command says what to install
        return
    main.add_command(verify)


_register_verify()
