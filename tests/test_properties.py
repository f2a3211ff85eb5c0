"""Property tests: generated slim programs, each with its own ground truth (tests/support/slimgen.py).

For every program: slimlint does not crash; the set of (code, line) findings equals the ground truth;
the fix compiles, is idempotent, re-lints clean, and never gives a slim layer an argument it does not
take.  The number of programs run is printed (run with `-s` or `-rP` to see it).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slimlint.lint import findings_of, fix_tree, lint_tree
from tests.support import slimgen

PROGRAMS_RUN = {"n": 0, "with_findings": 0}
MAX_EXAMPLES = 600  # ~60 s on this 2-core box (about 10-14 programs a second)


@st.composite
def programs(draw) -> slimgen.Program:
    imports = draw(st.sampled_from(sorted(slimgen.IMPORTS)))
    slim_module = slimgen.IMPORTS[imports][1]
    bn = draw(st.sampled_from(slimgen.SLIM_BN if slim_module else slimgen.PLAIN_BN))
    role = draw(st.sampled_from(["train", "train", "eval"]))
    if role == "eval":
        wiring, collect = "none", "inline"
    else:
        wiring = draw(st.sampled_from([w for w in slimgen.WIRINGS if slim_module or w != "create"]))
        if wiring == "plain":
            collect = "inline"
        elif wiring == "unused":
            collect = draw(st.sampled_from(["before", "after"]))
        else:
            collect = draw(st.sampled_from(slimgen.COLLECT))
    in_function = draw(st.booleans())
    return slimgen.Program(
        imports=imports,
        bn=bn,
        wiring=wiring,
        method=draw(st.sampled_from(["minimize", "apply_gradients"])),
        collect=collect,
        role=role,
        filename=draw(st.sampled_from(slimgen.TRAIN_NAMES if role == "train" else slimgen.EVAL_NAMES)),
        indent=draw(st.sampled_from([2, 4])),
        in_function=in_function,
        func_name=draw(st.sampled_from(["main", "build_and_train", "run"] if role == "train" else ["main", "evaluate", "run_inference"])),
        blank_lines=tuple(draw(st.lists(st.integers(0, 3), min_size=1, max_size=6))),
        comments=draw(st.booleans()),
        minimize_args=draw(st.sampled_from(slimgen.MINIMIZE_ARGS)),
        inline_optimizer=draw(st.booleans()),
    )


def _found(root: Path):
    return {(f.code, f.start.line) for f in findings_of(lint_tree(root))}


# A slim layer that received a batch-norm keyword: TypeError when the graph is built.
_LAYER_WITH_BN_KWARG = re.compile(r"slim\.(conv2d|fully_connected|max_pool2d|flatten)\([^\n]*\b(is_training|training)=")


def check_program(program: slimgen.Program) -> None:
    source, expected = slimgen.render(program)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / program.filename
        path.write_text(source)
        found = _found(root)
        assert found == expected, f"findings differ from ground truth\n--- {program.filename}\n{source}"
        fixed = fix_tree(root)
        if not expected:
            assert fixed == {}, f"a clean program was changed\n{source}"
            return
        assert program.filename in fixed, f"no fix for {sorted(expected)}\n{source}"
        new = fixed[program.filename]
        compile(new, program.filename, "exec")
        assert not _LAYER_WITH_BN_KWARG.search(new), f"fix passes a batch-norm argument to a slim layer\n{new}"
        path.write_text(new)
        assert _found(root) == set(), f"the fixed program still has findings\n{new}"
        assert fix_tree(root) == {}, f"fixing again changes the program (not idempotent)\n{new}"


@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_generated_programs(program):
    PROGRAMS_RUN["n"] += 1
    try:
        check_program(program)
    finally:
        pass


def test_report_program_count():
    """Runs after test_generated_programs (file order): prints how many programs were checked."""
    print(f"\nproperty test: {PROGRAMS_RUN['n']} generated programs run (max_examples={MAX_EXAMPLES})")


# --- minimal failing programs found by the generator, kept as plain regression tests --------------


def _case(**changes) -> slimgen.Program:
    base = dict(
        imports="contrib_slim", bn="direct", wiring="plain", method="minimize", collect="inline", role="train",
        filename="train.py", indent=4, in_function=False, func_name="main", blank_lines=(0,), comments=False,
        minimize_args="(loss)", inline_optimizer=False,
    )
    base.update(changes)
    return slimgen.Program(**base)


def test_minimal_sl102_slim_module():
    check_program(_case())


def test_minimal_sl101_apply_gradients():
    check_program(_case(method="apply_gradients"))


def test_minimal_sl103_collected_before():
    check_program(_case(wiring="ctrl", collect="before", bn="tf_layers", imports="tf_only"))


def test_minimal_sl104_unused_list():
    check_program(_case(wiring="unused", collect="after"))


def test_minimal_sl201_normalizer_fn_default_in_eval():
    """normalizer_fn=slim.batch_norm without params in an eval file: the fix must not add is_training to conv2d."""
    check_program(_case(role="eval", wiring="none", filename="eval.py", bn="normfn_default"))


def test_minimal_sl201_direct_in_eval():
    check_program(_case(role="eval", wiring="none", filename="eval.py", bn="direct"))
