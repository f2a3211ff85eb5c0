#!/usr/bin/env python
"""slimlint performance benchmark (issue 5). Not part of the test suite.

    python benchmarks/run.py [--runs 5] [--quick] [--json FILE]

Times, side by side and interleaved per round, on copies of the .py files of
the installed ``tensorflow`` and ``tf_slim`` packages:

* slimlint cold (``--no-cache``) and warm (a cache dir filled once, nothing
  changed);
* ruff ``check --no-cache --isolated --select ALL --exit-zero`` (default "full"
  output as specified, and ``--output-format concise``);
* ``fixit lint`` (tf_slim only) from its own virtual environment in
  ``benchmarks/.cache/fixit-venv`` (created on first use);
* a LibCST parse-only pass (``benchmarks/libcst_parse.py``) in 1 and N processes.

Prints a table of medians/min/max and peak memory, then the ratios the project
promises with PASS/FAIL. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import _trees

MEASURE = HERE / "_measure.py"
LIBCST_PARSE = HERE / "libcst_parse.py"
FIXIT_VERSION = "2.2.1"
DEFAULT_FIXIT_VENV = HERE / ".cache" / "fixit-venv"
DEFAULT_SLIMLINT_VENV = HERE / ".cache" / "slimlint-venv"
# slimlint's core dependencies (pyproject.toml's `dependencies`): what the venv of its own installs.
CORE_DEPENDENCIES = ("libcst", "click", "fissix")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- tools


@dataclass
class Tool:
    name: str
    available: bool
    version: str = ""
    why: str = ""  # reason when unavailable
    info: dict = field(default_factory=dict)


def _run_quiet(
    cmd: list[str], timeout: float = 120, **kw
) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(
            cmd, check=False, capture_output=True, text=True, timeout=timeout, **kw
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"  {cmd[0]}: {exc}")
        return None


def slimlint_env(root: Path = REPO) -> dict[str, str]:
    """Environment that imports the slimlint package found under root."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(root), env.get("PYTHONPATH", "")) if p
    )
    return env


def snapshot_slimlint(dest_root: Path) -> str:
    """Copy the slimlint package to dest_root/slimlint; return a digest of it.

    Every round then measures the same code even if the work tree changes meanwhile.
    """
    shutil.copytree(
        REPO / "slimlint",
        dest_root / "slimlint",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    digest = hashlib.sha256()
    for path in sorted((dest_root / "slimlint").rglob("*")):
        if path.is_file():
            rel = path.relative_to(dest_root).as_posix().encode()
            digest.update(rel + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def find_slimlint() -> Tool:
    if not (REPO / "slimlint" / "cli.py").is_file():
        return Tool("slimlint", False, why="slimlint/cli.py does not exist yet")
    proc = _run_quiet(
        [sys.executable, "-m", "slimlint", "--help"], env=slimlint_env(), cwd=REPO
    )
    if proc is None or proc.returncode != 0:
        detail = "" if proc is None else (proc.stderr.strip().splitlines() or [""])[-1]
        return Tool(
            "slimlint", False, why=f"`python -m slimlint --help` failed: {detail}"
        )
    helptext = proc.stdout + proc.stderr
    subcommand: list[str] = []
    if re.search(r"^Commands:", helptext, re.MULTILINE) and re.search(
        r"^\s+check\b", helptext, re.MULTILINE
    ):
        # `slimlint check [OPTIONS] PATHS`: the options live on the subcommand.
        subcommand = ["check"]
        proc = _run_quiet(
            [sys.executable, "-m", "slimlint", "check", "--help"],
            env=slimlint_env(),
            cwd=REPO,
        )
        if proc is None or proc.returncode != 0:
            return Tool(
                "slimlint", False, why="`python -m slimlint check --help` failed"
            )
        helptext = proc.stdout + proc.stderr
    flags = {f: f in helptext for f in ("--no-cache", "--cache-dir", "--jobs")}
    version = ""
    vproc = _run_quiet(
        [sys.executable, "-m", "slimlint", "--version"], env=slimlint_env(), cwd=REPO
    )
    if vproc is not None and vproc.returncode == 0:
        version = vproc.stdout.strip()
    git = _run_quiet(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    rev = git.stdout.strip() if git is not None and git.returncode == 0 else "no commit"
    dirty = _run_quiet(["git", "-C", str(REPO), "status", "--porcelain", "slimlint"])
    if dirty is not None and dirty.stdout.strip():
        rev += " + uncommitted changes"
    return Tool(
        "slimlint",
        True,
        version=version or "(no --version)",
        info={"flags": flags, "git": rev, "subcommand": subcommand},
    )


def find_ruff() -> Tool:
    # Prefer the real binary of this environment over a (slow, bash) pyenv shim.
    candidates = [
        Path(sysconfig.get_path("scripts")) / "ruff",
        Path(sys.executable).parent / "ruff",
    ]
    exe = next(
        (str(c) for c in candidates if c.is_file() and os.access(c, os.X_OK)), None
    )
    exe = exe or shutil.which("ruff")
    if exe is None:
        return Tool("ruff", False, why="ruff not found in this environment")
    proc = _run_quiet([exe, "--version"])
    if proc is None or proc.returncode != 0:
        return Tool("ruff", False, why=f"`{exe} --version` failed")
    return Tool("ruff", True, version=proc.stdout.strip(), info={"exe": exe})


def find_libcst() -> Tool:
    if importlib.util.find_spec("libcst") is None:
        return Tool("libcst", False, why="libcst not installed")
    return Tool("libcst", True, version=importlib.metadata.version("libcst"))


def ensure_fixit(venv: Path, timeout: float) -> Tool:
    """Return fixit from its own venv, creating the venv on first use."""
    exe = venv / ("Scripts/fixit.exe" if os.name == "nt" else "bin/fixit")
    py = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

    def version() -> str | None:
        if not exe.is_file():
            return None
        proc = _run_quiet([str(exe), "--version"])
        if proc is None or proc.returncode != 0:
            return None
        return proc.stdout.strip()

    found = version()
    if found and found.endswith(FIXIT_VERSION):
        return Tool(
            "fixit", True, version=found, info={"exe": str(exe), "venv": str(venv)}
        )

    log(
        f"creating fixit venv in {venv} (first use; pip install fixit=={FIXIT_VERSION}) ..."
    )
    venv.parent.mkdir(parents=True, exist_ok=True)
    proc = _run_quiet(
        [sys.executable, "-m", "venv", "--clear", str(venv)], timeout=timeout
    )
    if proc is None or proc.returncode != 0:
        why = "python -m venv failed" + (
            "" if proc is None else f": {proc.stderr.strip()[-500:]}"
        )
        return Tool("fixit", False, why=why)
    proc = _run_quiet(
        [str(py), "-m", "pip", "install", "--quiet", f"fixit=={FIXIT_VERSION}"],
        timeout=timeout,
    )
    if proc is None or proc.returncode != 0:
        tail = (
            ""
            if proc is None
            else " | ".join(
                ln
                for ln in proc.stderr.strip().splitlines()
                if "ignored: it is neither" not in ln
            )[-600:]
        )
        return Tool(
            "fixit", False, why=f"pip install fixit=={FIXIT_VERSION} failed: {tail}"
        )
    found = version()
    if not found:
        return Tool("fixit", False, why="fixit installed but `fixit --version` fails")
    return Tool("fixit", True, version=found, info={"exe": str(exe), "venv": str(venv)})


def ensure_slimlint_venv(venv: Path, timeout: float) -> Tool:
    """A virtual environment with slimlint's dependencies only (the versions of this environment).

    pre-commit runs a hook from a venv of its own, with the hook installed normally; this one stands in for
    it. This environment instead loads a setuptools editable-install finder and this machine's
    certificate-injection .pth at every interpreter start (printed as "python -c pass" rows).
    The slimlint snapshot itself comes from PYTHONPATH, as in this environment.
    """
    py = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    wanted = {}
    for dist in CORE_DEPENDENCIES:
        try:
            wanted[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return Tool("slimlint-venv", False, why=f"{dist} is not installed here")
    pins = [f"{d}=={v}" for d, v in wanted.items()]
    probe = "import importlib.metadata as m; print(" + ", ".join(f"m.version({d!r})" for d in wanted) + ")"
    have = _run_quiet([str(py), "-c", probe]) if py.is_file() else None
    if have is None or have.returncode != 0 or have.stdout.split() != list(wanted.values()):
        log(f"creating slimlint venv in {venv} ({', '.join(pins)}) ...")
        venv.parent.mkdir(parents=True, exist_ok=True)
        proc = _run_quiet([sys.executable, "-m", "venv", "--clear", str(venv)], timeout=timeout)
        if proc is None or proc.returncode != 0:
            return Tool("slimlint-venv", False, why="python -m venv failed")
        proc = _run_quiet([str(py), "-m", "pip", "install", "--quiet", *pins], timeout=timeout)
        if proc is None or proc.returncode != 0:
            detail = "" if proc is None else proc.stderr.strip()[-300:]
            return Tool("slimlint-venv", False, why=f"pip install failed: {detail}")
    return Tool("slimlint-venv", True, version=", ".join(f"{d} {v}" for d, v in wanted.items()),
                info={"python": str(py), "venv": str(venv)})


# Files modified this recently are not cached by slimlint (replay.RACY_NS): the cache is filled after it.
RACY_S = 2.0

FIXIT_CONFIG = """\
# Written by benchmarks/run.py. Passed with --config-file so that no other
# config above the tree is picked up; enables fixit's default rule set
# (the `fixit.rules` package, i.e. everything but fixit.rules.extra).
[tool.fixit]
root = true
enable = ["fixit.rules"]
"""


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    key: str  # e.g. "slimlint-cold"
    label: str  # shown in the table
    tree: str
    cmd: list[str]
    env: dict[str, str] | None = None
    ok_rcs: tuple[int, ...] = (0,)
    samples: list[dict] = field(default_factory=list)
    error: str = ""
    checked: str = ""  # files the tool says it looked at, where it says so
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.key}:{self.tree}"


def measure(
    cmd: list[str], *, cwd: Path, out: Path, err: Path, timeout: float, env=None
) -> dict:
    wrapper = [
        sys.executable,
        str(MEASURE),
        "--timeout",
        str(timeout),
        "--cwd",
        str(cwd),
        "--stdout",
        str(out),
        "--stderr",
        str(err),
        "--",
        *cmd,
    ]
    try:
        proc = subprocess.run(
            wrapper,
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout + 60,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return {"error": "measurement wrapper hung"}
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": f"wrapper failed: {proc.stderr.strip()[-300:]}"}


def tail(path: Path, n: int = 6) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-n:])


_COUNT_PATTERNS = [
    re.compile(r"parsed (\d+) files"),  # libcst_parse.py
    re.compile(r"(\d+) files? checked"),  # fixit with findings
    re.compile(r"(\d+) files? clean"),  # fixit without findings
    re.compile(
        r"(\d+) (?:python )?files?\b", re.IGNORECASE
    ),  # slimlint summary, if it prints one
]


def files_reported(text: str) -> str:
    for pattern in _COUNT_PATTERNS:
        found = pattern.findall(text)
        if found:
            return found[-1]
    return ""


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark slimlint against ruff, fixit and a LibCST parse-only pass."
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help="timed rounds (default 5; 1 with --quick)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tf_slim tree only, 1 round by default"
    )
    parser.add_argument(
        "--json", metavar="FILE", help="also write the results as JSON to FILE"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="slimlint --jobs and LibCST pool size (default 2)",
    )
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds per command (default 900)"
    )
    parser.add_argument(
        "--trees", nargs="+", choices=sorted(_trees.TREES), help="trees to run on"
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["slimlint", "ruff", "fixit", "libcst"],
        help="leave a tool out (repeatable)",
    )
    parser.add_argument("--fixit-venv", type=Path, default=DEFAULT_FIXIT_VENV)
    parser.add_argument("--slimlint-venv", type=Path, default=DEFAULT_SLIMLINT_VENV)
    parser.add_argument("--no-venv", action="store_true",
                        help="run slimlint with this environment's python only (no own venv)")
    parser.add_argument(
        "--keep-temp",
        action="store_true",
        help="keep the temp folder (tree copies, outputs)",
    )
    parser.add_argument(
        "--fail-on-miss", action="store_true", help="exit 1 if a target is missed"
    )
    args = parser.parse_args(argv)

    runs = args.runs if args.runs is not None else (1 if args.quick else 5)
    tree_names = args.trees or (
        ["tf_slim"] if args.quick else ["tensorflow", "tf_slim"]
    )

    workdir = Path(tempfile.mkdtemp(prefix="slimlint-bench-"))
    try:
        return _bench(args, runs, tree_names, workdir)
    finally:
        if args.keep_temp:
            log(f"temp folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _bench(args, runs: int, tree_names: list[str], workdir: Path) -> int:
    load_before = _loadavg()
    if load_before and load_before[0] > 0.5 * (os.cpu_count() or 1):
        log(
            f"warning: the machine is busy (load average {load_before[0]}); timings will be noisy"
        )
    log(f"copying trees {tree_names} into {workdir}/trees ...")
    trees, missing_trees = _trees.prepare(tree_names, workdir)
    copied_at = time.monotonic()
    for name, why in missing_trees.items():
        log(f"  tree {name}: skipped ({why})")
    for t in trees.values():
        log(f"  {t.name}: {t.files} files, {t.lines} lines (from {t.source})")
    outdir = workdir / "out"
    outdir.mkdir()

    tools: dict[str, Tool] = {}
    skipped = set(args.skip)
    tools["slimlint"] = (
        find_slimlint()
        if "slimlint" not in skipped
        else Tool("slimlint", False, why="--skip")
    )
    tools["ruff"] = (
        find_ruff() if "ruff" not in skipped else Tool("ruff", False, why="--skip")
    )
    tools["libcst"] = (
        find_libcst()
        if "libcst" not in skipped
        else Tool("libcst", False, why="--skip")
    )
    if "fixit" in skipped:
        tools["fixit"] = Tool("fixit", False, why="--skip")
    elif "tf_slim" not in trees:
        tools["fixit"] = Tool("fixit", False, why="runs on the tf_slim tree only")
    else:
        tools["fixit"] = ensure_fixit(args.fixit_venv, timeout=max(args.timeout, 600))
    if not tools["slimlint"].available or args.no_venv:
        tools["slimlint-venv"] = Tool("slimlint-venv", False, why="--no-venv" if args.no_venv else "no slimlint")
    else:
        tools["slimlint-venv"] = ensure_slimlint_venv(args.slimlint_venv, timeout=max(args.timeout, 600))
    for tool in tools.values():
        log(
            f"  {tool.name}: "
            + (tool.version if tool.available else f"SKIPPED ({tool.why})")
        )

    jobs = max(1, args.jobs)
    cases: list[Case] = []
    sl = tools["slimlint"]
    if sl.available:
        sl.info["snapshot"] = snapshot_slimlint(workdir / "src")
        sl.info["git"] += f"; measured copy sha256 {sl.info['snapshot']}"
        sl_env = slimlint_env(workdir / "src")
        log(f"  slimlint package copied to {workdir / 'src'} for the whole run")
        copied_at = time.monotonic()  # slimlint's own code is an input of its cache too
    venv = tools["slimlint-venv"]
    # slimlint's own rows use its venv (as pre-commit would); "this env" rows show this environment's python.
    sl_python = venv.info["python"] if venv.available else sys.executable
    pythons = {"slimlint venv": venv.info["python"]} if venv.available else {}
    pythons["this env"] = sys.executable
    if sl.available:
        for where, python in pythons.items():
            cases.append(Case(f"python-start:{where}", f"python -c pass ({where})", "-", [python, "-c", "pass"]))
    cache_dirs: dict[tuple[str, str], Path] = {}  # (case key, tree) -> cache folder
    for tname, tree in trees.items():
        p = str(tree.path)
        if sl.available:
            flags = sl.info["flags"]
            base = [sl_python, "-m", "slimlint", *sl.info["subcommand"]]
            if flags["--jobs"]:
                base += ["--jobs", str(jobs)]
            cold = base + (["--no-cache"] if flags["--no-cache"] else []) + [p]
            cases.append(
                Case(
                    "slimlint-cold",
                    "slimlint cold",
                    tname,
                    cold,
                    sl_env,
                    (0, 1),
                )
            )
            if flags["--cache-dir"]:
                warm_rows = [("slimlint-warm", "slimlint warm", base)]
                if venv.available:
                    this_env = [sys.executable, *base[1:]]
                    warm_rows.append(("slimlint-warm-this-env", "slimlint warm (this env)", this_env))
                for key, label, cmd in warm_rows:
                    cache_dirs[(key, tname)] = workdir / "cache" / key / tname
                    cases.append(Case(key, label, tname, cmd + ["--cache-dir", str(cache_dirs[(key, tname)]), p],
                                      sl_env, (0, 1)))
        if tools["ruff"].available:
            ruff = [
                tools["ruff"].info["exe"],
                "check",
                "--no-cache",
                "--isolated",
                "--select",
                "ALL",
                "--exit-zero",
            ]
            cases.append(Case("ruff", "ruff (full output)", tname, ruff + [p]))
            cases.append(
                Case(
                    "ruff-concise",
                    "ruff (concise output)",
                    tname,
                    ruff + ["--output-format", "concise", p],
                )
            )
        if tools["fixit"].available and tname == "tf_slim":
            cfg = workdir / "trees" / "fixit.toml"
            cfg.write_text(FIXIT_CONFIG)
            fx = [tools["fixit"].info["exe"], "--config-file", str(cfg), "lint", p]
            cases.append(Case("fixit", "fixit lint", tname, fx, None, (0, 1)))
        if tools["libcst"].available:
            for n in sorted({1, jobs}):
                cmd = [sys.executable, str(LIBCST_PARSE), "--jobs", str(n), p]
                cases.append(
                    Case(f"libcst-{n}p", f"libcst parse-only, {n} proc", tname, cmd)
                )

    # Fill slimlint's caches once (untimed for the medians, reported as its own row).
    fill_rows: list[Case] = []
    wait = RACY_S + 0.5 - (time.monotonic() - copied_at)
    if cache_dirs and wait > 0:
        log(f"waiting {wait:.1f}s: slimlint does not cache files modified in the last {RACY_S:.0f}s")
        time.sleep(wait)
    for key, tname in cache_dirs:
        warm = next(c for c in cases if c.key == key and c.tree == tname)
        stem = f"fill-{key}-{tname}"
        log(f"filling the cache of {warm.label} for {tname} ...")
        res = measure(
            warm.cmd,
            cwd=workdir,
            out=outdir / f"{stem}.out",
            err=outdir / f"{stem}.err",
            timeout=args.timeout,
            env=warm.env,
        )
        row = Case(
            key.replace("warm", "fill"),
            "slimlint 1st run (fills cache)" + (" (this env)" if key.endswith("this-env") else ""),
            tname,
            warm.cmd,
            warm.env,
            warm.ok_rcs,
            note="1 run, before the rounds",
        )
        _record(row, res, outdir / f"{stem}.err")
        row.checked = files_reported(
            tail(outdir / f"{stem}.out", 3)
            + "\n"
            + tail(outdir / f"{stem}.err", 3)
        )
        fill_rows.append(row)
        if row.error:
            warm.error = f"cache fill failed: {row.error}"

    for r in range(runs):
        # Rotate the order every round so drifting machine load hits all tools alike.
        order = cases[r % len(cases) :] + cases[: r % len(cases)] if cases else []
        for case in order:
            if case.error:
                continue
            stem = case.id.replace(":", "-")
            out, err = outdir / f"{stem}.out", outdir / f"{stem}.err"
            res = measure(
                case.cmd,
                cwd=workdir,
                out=out,
                err=err,
                timeout=args.timeout,
                env=case.env,
            )
            _record(case, res, err)
            if not case.checked:
                case.checked = files_reported(tail(out, 3) + "\n" + tail(err, 3))
            shown = f"{res['wall']:.2f}s" if "wall" in res else "-"
            log(
                f"[round {r + 1}/{runs}] {case.label:<28} {case.tree:<11} {shown}"
                + (f"  ERROR: {case.error}" if case.error else "")
            )

    # ruff does not print a file count: ask it once, untimed.
    for case in cases:
        if case.key.startswith("ruff") and not case.checked and not case.error:
            proc = _run_quiet(
                case.cmd[:-1] + ["--show-files", case.cmd[-1]],
                timeout=args.timeout,
                cwd=workdir,
            )
            if proc is not None:
                case.checked = str(
                    sum(
                        1
                        for ln in proc.stdout.splitlines()
                        if ln.strip().endswith(".py")
                    )
                )

    rows = fill_rows + cases
    report = build_report(args, runs, trees, missing_trees, tools, rows, jobs)
    report["meta"]["loadavg_before"] = load_before
    report["meta"]["loadavg_after"] = _loadavg()
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        log(f"JSON written to {args.json}")
    if args.fail_on_miss and any(r["status"] == "FAIL" for r in report["ratios"]):
        return 1
    return 0


def _record(case: Case, res: dict, err: Path) -> None:
    if "error" in res:
        case.error = res["error"]
    elif res.get("timed_out"):
        case.error = f"timed out after {res['wall']:.0f}s"
    elif res["rc"] not in case.ok_rcs:
        case.error = f"exit code {res['rc']}: {tail(err, 3)}"
    else:
        case.samples.append(res)


# --------------------------------------------------------------------------- report


def _summary(case: Case, trees) -> dict:
    walls = [s["wall"] for s in case.samples]
    tree = trees.get(case.tree)
    return {
        "tool": case.label,
        "key": case.key,
        "tree": case.tree,
        "files": tree.files if tree else None,
        "files_checked": case.checked or None,
        "runs": len(walls),
        "median_s": statistics.median(walls) if walls else None,
        "min_s": min(walls) if walls else None,
        "max_s": max(walls) if walls else None,
        "samples_s": walls,
        "peak_rss_mb": max(s["maxrss_kb"] for s in case.samples) / 1024
        if walls
        else None,
        "tree_rss_mb": max(s["tree_rss_kb"] for s in case.samples) / 1024
        if walls
        else None,
        "cpu_s_median": statistics.median(s["user"] + s["sys"] for s in case.samples)
        if walls
        else None,
        "error": case.error or None,
        "note": case.note or None,
        "command": case.cmd,
    }


def build_report(args, runs, trees, missing_trees, tools, rows, jobs) -> dict:
    results = [_summary(c, trees) for c in rows]
    by = {(r["key"], r["tree"]): r for r in results}

    class _Med(float):
        cpu: float | None = None

    def med(key, tree):
        row = by.get((key, tree))
        if not row or row["median_s"] is None:
            return None
        value = _Med(row["median_s"])
        value.cpu = row["cpu_s_median"]
        return value

    def ratio(name, num, den, target, op, why_missing=""):
        tree = name.rsplit("[", 1)[-1].split(";")[0].rstrip("]")
        if tree in _trees.TREES and tree not in trees:
            why_missing = f"{tree} tree not run" + (
                f" ({missing_trees[tree]})" if tree in missing_trees else ""
            )
        if num is None or den is None or den == 0:
            return {
                "name": name,
                "value": None,
                "target": f"{op} {target}",
                "status": "n/a",
                "detail": why_missing or "a measurement is missing",
            }
        value = num / den
        ok = (
            value <= target
            if op == "<="
            else value >= target
            if op == ">="
            else value < target
        )
        detail = f"{num:.3f}s / {den:.3f}s"
        cpu_num, cpu_den = getattr(num, "cpu", None), getattr(den, "cpu", None)
        cpu_ratio = cpu_num / cpu_den if cpu_num and cpu_den else None
        if cpu_ratio is not None:
            detail += f"; by CPU time {cpu_ratio:.3f} = {cpu_num:.2f}s / {cpu_den:.2f}s"
        return {
            "name": name,
            "value": value,
            "cpu_time_ratio": cpu_ratio,
            "target": f"{op} {target}",
            "status": "PASS" if ok else "FAIL",
            "detail": detail,
        }

    sl_missing = (
        ""
        if tools["slimlint"].available
        else f"slimlint skipped: {tools['slimlint'].why}"
    )
    if "tensorflow" not in trees:
        tf_missing = "tensorflow tree not run" + (
            f" ({missing_trees['tensorflow']})" if "tensorflow" in missing_trees else ""
        )
    else:
        tf_missing = sl_missing
    ratios = [
        ratio(
            "slimlint cold / ruff  [tensorflow; ruff as specified, full output]",
            med("slimlint-cold", "tensorflow"),
            med("ruff", "tensorflow"),
            1.0,
            "<=",
            tf_missing,
        ),
        ratio(
            "slimlint cold / ruff  [tensorflow; ruff --output-format concise, stricter]",
            med("slimlint-cold", "tensorflow"),
            med("ruff-concise", "tensorflow"),
            1.0,
            "<=",
            tf_missing,
        ),
        ratio(
            "fixit / slimlint cold  [tf_slim]",
            med("fixit", "tf_slim"),
            med("slimlint-cold", "tf_slim"),
            20.0,
            ">=",
            sl_missing
            or (
                ""
                if tools["fixit"].available
                else f"fixit skipped: {tools['fixit'].why}"
            ),
        ),
        ratio(
            f"slimlint cold / libcst parse-only {jobs} proc  [tf_slim]",
            med("slimlint-cold", "tf_slim"),
            med(f"libcst-{jobs}p", "tf_slim"),
            2.0,
            "<=",
            sl_missing,
        ),
    ]
    for tree in ("tensorflow", "tf_slim"):
        if tree in trees:
            ratios.append(
                ratio(
                    f"slimlint warm / cold  [{tree}]",
                    med("slimlint-warm", tree),
                    med("slimlint-cold", tree),
                    0.10,
                    "<=",
                    sl_missing,
                )
            )
    for tree in ("tensorflow", "tf_slim"):
        if med("slimlint-warm-this-env", tree) is not None:
            row = ratio(
                f"slimlint warm (this env) / cold (venv)  [{tree}; not a target: interpreter start differs]",
                med("slimlint-warm-this-env", tree),
                med("slimlint-cold", tree),
                0.10,
                "<=",
            )
            row["status"] = "info"
            ratios.append(row)
    sl_rows = [
        r
        for r in results
        if r["key"].startswith("slimlint") and r["peak_rss_mb"] is not None
    ]
    if sl_rows:
        worst = max(sl_rows, key=lambda r: r["peak_rss_mb"])
        peak = worst["peak_rss_mb"]
        tree_peak = max(r["tree_rss_mb"] for r in sl_rows)
        ratios.append(
            {
                "name": "slimlint peak memory (ru_maxrss, largest process)",
                "value": peak,
                "target": "< 500 MB",
                "status": "PASS" if peak < 500 else "FAIL",
                "detail": f"{worst['tool']} on {worst['tree']}; all processes summed (sampled): {tree_peak:.0f} MB",
            }
        )
    else:
        ratios.append(
            {
                "name": "slimlint peak memory",
                "value": None,
                "target": "< 500 MB",
                "status": "n/a",
                "detail": sl_missing or "no slimlint run succeeded",
            }
        )

    return {
        "meta": {
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]),
            "runs": runs,
            "jobs": jobs,
            "timeout_s": args.timeout,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "tools": {
                k: {
                    "available": t.available,
                    "version": t.version,
                    "why": t.why or None,
                    **({"git": t.info["git"]} if "git" in t.info else {}),
                }
                for k, t in tools.items()
            },
            "trees": {
                k: {"files": t.files, "lines": t.lines, "source": str(t.source)}
                for k, t in trees.items()
            },
            "missing_trees": missing_trees,
        },
        "results": results,
        "ratios": ratios,
    }


def _fmt(v, spec=".2f") -> str:
    return "-" if v is None else format(v, spec)


def print_report(report: dict) -> None:
    meta = report["meta"]
    print()
    print(
        f"slimlint benchmark  {meta['date']}  runs={meta['runs']}  jobs={meta['jobs']}  "
        f"python {meta['python']}  cpus={meta['cpus']}"
    )
    for name, t in meta["tools"].items():
        state = t["version"] if t["available"] else f"SKIPPED: {t['why']}"
        extra = f"  (git {t['git']})" if t.get("git") else ""
        print(f"  {name:<9} {state}{extra}")
    for name, t in meta["trees"].items():
        print(
            f"  tree {name}: {t['files']} files, {t['lines']:,} lines  ({t['source']})"
        )
    for name, why in meta["missing_trees"].items():
        print(f"  tree {name}: SKIPPED ({why})")
    if meta.get("loadavg_before"):
        print(
            f"  load average before/after (1, 5, 15 min): {meta['loadavg_before']} / {meta.get('loadavg_after')}"
        )
    print()
    head = (
        "tool",
        "tree",
        "files",
        "checked",
        "runs",
        "median s",
        "min s",
        "max s",
        "peak RSS MB",
        "sum RSS MB",
        "CPU s",
    )
    table = [head]
    for r in report["results"]:
        table.append(
            (
                r["tool"],
                r["tree"],
                str(r["files"] or "-"),
                str(r["files_checked"] or "?"),
                str(r["runs"]),
                _fmt(r["median_s"]),
                _fmt(r["min_s"]),
                _fmt(r["max_s"]),
                _fmt(r["peak_rss_mb"], ".0f"),
                _fmt(r["tree_rss_mb"], ".0f"),
                _fmt(r["cpu_s_median"]),
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for i, row in enumerate(table):
        cells = [
            c.ljust(w) if j < 2 else c.rjust(w)
            for j, (c, w) in enumerate(zip(row, widths))
        ]
        print("  ".join(cells).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    errors = [r for r in report["results"] if r["error"]]
    for r in errors:
        print(f"  ! {r['tool']} on {r['tree']}: {r['error']}")
    print()
    print("targets:")
    for x in report["ratios"]:
        value = (
            "-"
            if x["value"] is None
            else (
                f"{x['value']:.0f} MB" if "memory" in x["name"] else f"{x['value']:.3f}"
            )
        )
        print(
            f"  [{x['status']:<4}] {x['name']}: {value}  (target {x['target']}; {x['detail']})"
        )
    print()


if __name__ == "__main__":
    sys.exit(main())
