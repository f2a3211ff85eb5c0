"""Time slimlint on the pathological inputs of issue 13 (each must finish in under 10 s with a clear message).

    python benchmarks/pathological.py

Builds each input in a temporary folder and runs `python -m slimlint --no-cache --no-prefilter` on it (the
slimlint of this checkout). Not a test: wall-clock times on a shared machine are noise for CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAD = "import tensorflow as tf\nnet = slim.batch_norm(x)\n"


def _inputs():
    yield "method chain, 3,000 calls", {"gen.py": HEAD + "y = (a\n" + "    .f(1)\n" * 3000 + ")\n"}
    yield "sum of 3,000 terms", {"gen.py": HEAD + "y = " + " + ".join(["a"] * 3000) + "\n"}
    yield "1,000 nested parentheses", {"gen.py": HEAD + "y = " + "(" * 1000 + "a" + ")" * 1000 + "\n"}
    yield "20 MB generated module beside a named file (context)", {
        "eval.py": HEAD, "big.py": "x = [\n" + "    1,\n" * 3_000_000 + "]\n"}


def main() -> int:
    worst = 0.0
    for label, files in _inputs():
        with tempfile.TemporaryDirectory() as tmp:
            for name, text in files.items():
                Path(tmp, name).write_text(text)
            named = "eval.py" if "eval.py" in files else "."
            env = dict(os.environ, PYTHONPATH=str(ROOT))
            start = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "slimlint", "--no-cache", "--no-prefilter", named], cwd=tmp,
                                  env=env, capture_output=True, text=True, timeout=600)
            took = time.monotonic() - start
        worst = max(worst, took)
        said = (proc.stdout.strip().splitlines() or [""])[0][:110]
        print(f"{took:7.2f} s  exit {proc.returncode}  {label}: {said}")
    print(f"slowest {worst:.2f} s (target < 10 s)")
    return 0 if worst < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
