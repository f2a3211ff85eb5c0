"""Subprocess entry point: `python -m slimlint.harness.child PROGRAM.py [SUPPORT_DIR]`.

The only place in slimlint that imports TensorFlow. Runs PROGRAM as `__main__` from its own
directory (so `import model` works), after the compatibility layer and the probes are in place.
"""

from __future__ import annotations

import os
import random
import runpy
import sys


def main(argv: list[str]) -> int:
    program = os.path.abspath(argv[0])
    support_dir = argv[1] if len(argv) > 1 else None

    from slimlint.harness import compat

    compat.set_environment()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    compat.install()

    import numpy as np
    import tensorflow as tf

    from slimlint.harness import probes

    probes.install()
    # Tiny graphs, and `--jobs` programs share the cores: one thread per op pool avoids oversubscription.
    threads = int(os.environ.get("SLIMLINT_TF_THREADS", "1"))
    if threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    # Programs set their own seeds as real code does; these make an unseeded program deterministic too.
    random.seed(0)
    np.random.seed(0)
    tf.set_random_seed(0)

    sys.path[:0] = [os.path.dirname(program)] + ([support_dir] if support_dir else [])
    sys.argv = [program]
    runpy.run_path(program, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
