"""Evaluation context: is this code evaluating, exporting or serving a model, or training it?

When unsure, the answer is "not evaluation": SL201 stays silent rather than flag training code.
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable, Set, Tuple

import libcst as cst

from slimlint.model.facts import FunctionInfo
from slimlint.model.import_table import dotted
from slimlint.model.walk import find_all

EVAL = "eval"
TRAIN = "train"
UNIT_TEST = "unit-test"
LIBRARY = "library"

# File-name words of evaluation / inference / export scripts.
_EVAL_FILE_WORDS = {
    "eval", "evaluate", "evaluation", "evaluator", "evaler", "test", "testing", "inference", "infer", "predict",
    "prediction", "predictor", "export", "exporter", "freeze", "frozen", "demo", "sample", "sampling",
    "validate", "validation", "val", "serve", "serving", "deploy", "detect", "classify", "segment",
}
_TRAIN_FILE_WORDS = {"train", "training", "trainer", "finetune", "fit", "learn"}
TRAIN_NAME_WORDS = frozenset(_TRAIN_FILE_WORDS | {"tune", "resume"})  # a function named for training
# Function-name words. Not "inference" / "predict": cifar10's inference() and the detection API's
# predict() are the forward pass used for training too.
_EVAL_FUNC_WORDS = {"eval", "evaluate", "evaluation", "export", "freeze", "sample", "sampling", "sampler", "demo", "serving", "validate", "validation", "test", "deploy"}
_EVAL_TARGET_WORDS = {"eval", "val", "valid", "validation", "test", "testing"}
# Words of code that draws samples from a generative model (a function, or the script it is in).
_SAMPLING_WORDS = {"sample", "samples", "sampling", "sampler", "generate", "generated", "generation"}


def word_list(name: str) -> list:
    """The words of a name, in order (`valImages_batch2` -> val, images, batch, 2)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[0-9])", spaced) if w]


def words(name: str) -> set:
    return set(word_list(name))


def unit_test_name(relpath: str) -> bool:
    """Named like a unit test the TensorFlow way (`model_test.py`) or a pytest conftest."""
    stem = relpath.rsplit("/", 1)[-1]
    stem = stem[:-3] if stem.endswith(".py") else stem
    return stem.endswith("_test") or stem == "conftest"


# Text of a test framework: unittest, tf.test, absltest, pytest.
_TEST_FRAMEWORK_TEXT = re.compile(r"\bunittest\b|\btf\.test\b|\babsltest\b|\bpytest\b|TestCase\b")


def skipped_as_unit_test(relpath: str, text: str) -> bool:
    """Not worth parsing: named like a unit test and written with a test framework.

    A `*_test.py` without one may be a script (an evaluation or sampling run named "test", common
    in Python 2 projects): it is parsed, and `file_role` decides from what it does.
    """
    return unit_test_name(relpath) and _TEST_FRAMEWORK_TEXT.search(text) is not None


def file_role(relpath: str, model, configured_eval: bool = False, configured_train: bool = False) -> str:
    """The role of a whole file, from configuration (eval-paths / train-paths), its name and what it does."""
    if configured_train:
        return TRAIN
    if configured_eval:
        return EVAL
    stem = relpath.rsplit("/", 1)[-1]
    stem = stem[:-3] if stem.endswith(".py") else stem
    name_words = words(stem)
    if model.builder.unit_test_markers:
        return UNIT_TEST
    if unit_test_name(relpath) and not model.builder.is_script:
        return UNIT_TEST  # a test helper module; a script named `*_test.py` is classified by what it does
    if (unit_test_name(relpath) or stem.endswith("_tests")) and (_asserts_shapes_only(model.module) or _runs_fresh_weights(model)):
        return UNIT_TEST  # a smoke-test script: it runs the graph only to assert the outputs' shapes, or on new weights
    if model.builder.has_train_ops or name_words & _TRAIN_FILE_WORDS:
        return TRAIN
    if name_words & _EVAL_FILE_WORDS:
        return LIBRARY if _builds_only(model) else EVAL
    if (model.builder.restores_checkpoint or model.builder.exports_graph) and model.builder.is_script:
        # A script that restores a checkpoint or writes the graph out, and never trains: one that runs a train
        # op some other file builds (`sess.run([model.train_op, model.cost])`) resumes training. One that runs
        # nothing (a network module's `__main__` building the graph and printing its tensors) evaluates nothing.
        if model.builder.exports_graph or model.builder.evaluation_loop:
            return TRAIN if model.runs_train_op() else EVAL
        bound = initializer_names(model.module)  # names bound to initializers, shared by both checks below
        if not (any(f.session_runs for f in (model.module_func, *model.functions))
                and _runs_more_than_initializers(model.module, bound)) and not _opens_session(model.module, bound):
            return LIBRARY
        return TRAIN if model.runs_train_op() else EVAL
    return LIBRARY


_WRITES_GRAPH = re.compile(r"as_graph_def|write_graph|SerializeToString|saved_model|SavedModel|TFLite|tflite"
                           r"|convert_variables_to_constants|freeze_graph|export_")


def _builds_only(model) -> bool:
    """A module named for evaluation (`model_eval_kitti.py`) whose `__main__` block only builds the graph and
    prints its tensors: no session anywhere in the file, nothing restored, exported or run. Its functions are a
    network library other scripts call; the block evaluates nothing."""
    builder = model.builder
    if not builder.is_script or builder.restores_checkpoint or builder.exports_graph or builder.evaluation_loop:
        return False
    if not model.functions or not _runs_only_in_main_block(model.module):
        return False
    if any(f.session_runs or f.train_ops or f.trains_via_callback for f in (model.module_func, *model.functions)):
        return False
    if _WRITES_GRAPH.search(model.module_code()):
        return False  # `graph.as_graph_def()` written out, a SavedModel, a TFLite model: an export
    return not _opens_session(model.module, initializer_names(model.module))


def _runs_only_in_main_block(module: cst.Module) -> bool:
    """Is `if __name__ == "__main__":` the module's only code that does something (besides imports, definitions,
    and option set-up: `flags.DEFINE_string(...)`, `sys.path.append(...)`), and does that block call nothing
    imported but TensorFlow, NumPy and the standard library (not `utils.run_eval(outputs)`, which may run
    it)? A network module, not a script."""
    main = False
    library, imported = _import_bindings(module)
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(stmt, cst.If) and "__name__" in {n.value for n in find_all(stmt.test, cst.Name)}:
            main = True
            roots = {(dotted(call.func) or "").split(".")[0] for call in find_all(stmt.body, cst.Call)}
            if roots & imported:
                return False
            if "*" in imported:  # `from pointnet_util import *`: any name it does not define itself may be theirs
                own = {s.name.value for s in module.body if isinstance(s, (cst.FunctionDef, cst.ClassDef))}
                if roots - own - library - _BUILTINS:
                    return False
            continue
        for call in find_all(stmt, cst.Call):
            name = dotted(call.func) or ""
            if not any(part in name for part in _SET_UP_CALLS):
                return False
    return main


_LIBRARY_ROOTS = {"tensorflow", "numpy", "os", "sys", "time", "math", "argparse", "logging", "json", "pickle",
                  "random", "glob", "shutil", "collections", "functools", "itertools", "pprint", "six", "absl",
                  "scipy", "matplotlib", "cv2", "PIL", "h5py", "tqdm", "datetime", "__future__", "io", "re"}


_BUILTINS = {"print", "len", "range", "str", "int", "float", "list", "dict", "tuple", "zip", "enumerate", "format",
             "isinstance", "sorted", "min", "max", "sum", "abs", "round", ""}


def _import_bindings(module: cst.Module) -> Tuple[Set[str], Set[str]]:
    """(names the module's imports bind to a known library: `tf`, `np`; names they bind to anything else:
    `import utils`, `from evaluation import run_eval`, "*" for a star import of such a module), from the
    imports outside its functions and classes."""
    library: Set[str] = set()
    project: Set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        for node in find_all(stmt, (cst.Import, cst.ImportFrom)):
            if isinstance(node, cst.Import):
                for a in node.names:
                    full = dotted(a.name) or ""
                    bound = a.asname.name.value if a.asname else full.split(".")[0]
                    (library if full.split(".")[0] in _LIBRARY_ROOTS else project).add(bound)
                continue
            root = (dotted(node.module) or "").split(".")[0] if node.module is not None else ""
            side = library if root in _LIBRARY_ROOTS and not node.relative else project
            if isinstance(node.names, cst.ImportStar):
                if side is project:
                    project.add("*")
                continue
            side.update((a.asname.name.value if a.asname else dotted(a.name) or "").split(".")[0] for a in node.names)
    return library, project


_SET_UP_CALLS = ("DEFINE_", "add_argument", "ArgumentParser", "parse_args", "sys.path", "os.path", "os.environ",
                 "logging", "getLogger", "import_module", "__import__", "FLAGS")


def _asserts_shapes_only(module) -> bool:
    """Does every session run whose result the file keeps (`results = sess.run(...)`) feed only `assert`
    statements about shapes (`assert results.shape == (1, 2048)`)? Such a script checks that the graph builds
    and runs; no prediction of it is used."""
    kept: Set[str] = set()
    for assign in find_all(module, cst.Assign):
        value = assign.value
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "run":
            for target in assign.targets:
                names = [target.target] if isinstance(target.target, cst.Name) else \
                    [e.value for e in getattr(target.target, "elements", ())]
                if not all(isinstance(n, cst.Name) for n in names):
                    return False  # `self.out = sess.run(...)`: kept for other code
                kept.update(n.value for n in names)
    if not kept:
        return False
    asserts = find_all(module, cst.Assert)
    in_asserts = {id(n) for a in asserts for n in find_all(a, cst.Name)}
    targets = {id(n) for a in find_all(module, cst.Assign) for t in a.targets for n in find_all(t.target, cst.Name)}
    attrs = {id(a.attr) for a in find_all(module, cst.Attribute)}
    uses = [n for n in find_all(module, cst.Name) if n.value in kept and id(n) not in targets and id(n) not in attrs]
    shapes = any(isinstance(n, cst.Name) and n.value in ("shape", "get_shape") for a in asserts for n in find_all(a, cst.Name))
    return bool(uses) and shapes and all(id(n) in in_asserts for n in uses)


def _runs_fresh_weights(model) -> bool:
    """Does the script run its graph once, on freshly initialised variables: it runs an initializer, trains
    nothing, loads no weights (no restore, meta graph, `init_fn`, `load...` / `restore...` call) and runs no
    session in a loop? It checks that the pipeline builds and runs (`model_test.py`); no prediction of a
    trained model comes out of it."""
    if model.builder.has_train_ops or any(f.restores or f.meta_graph_imports for f in model.functions):
        return False
    if any(isinstance(call.func, cst.Attribute) and call.func.attr.value == "run"
           for loop in (*[f for f in find_all(model.module, cst.For) if not _fixed_iteration(f.iter)],
                        *find_all(model.module, cst.While))
           for call in find_all(loop, cst.Call)):
        return False  # runs over a dataset (an evaluation whose restore is off for now), not on a few samples
    names = [call.func.attr.value if isinstance(call.func, cst.Attribute) else call.func.value
             for call in find_all(model.module, cst.Call) if isinstance(call.func, (cst.Attribute, cst.Name))]
    if not any(is_initializer(call) for call in find_all(model.module, cst.Call)):
        return False
    loads = any(word in n.lower() for n in names for word in _LOADING_WORDS)
    return not loads and not any(a.keyword is not None and a.keyword.value == "init_fn"
                                 for call in find_all(model.module, cst.Call) for a in call.args)


def _fixed_iteration(iterable: cst.BaseExpression) -> bool:
    """`range(3)`, `[1, 8, 32]`: a loop a smoke test runs over sizes or repeats, not over a dataset."""
    if isinstance(iterable, (cst.List, cst.Tuple)):
        return True
    return isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value == "range"


# Words of a call that may bring trained weights in (`saver.restore`, `utils.init_from_ckpt`, `init_fn(sess)`,
# `load_weights`, `resume_training`): the script may evaluate a trained model.
_LOADING_WORDS = ("restore", "load", "checkpoint", "ckpt", "init_fn", "resume", "recover", "pretrain", "weights",
                  "snapshot")


# TF1's first initializer names, not ending in "initializer" (`tf.initialize_all_variables()`).
_DEPRECATED_INITIALIZERS = frozenset({"initialize_all_variables", "initialize_local_variables",
                                      "initialize_variables"})


def _opens_session(module, bound: FrozenSet[str]) -> bool:
    """Does the file make a session (`tf.Session()`, `tf.InteractiveSession()`, a `MonitoredSession`) that may
    run something? One that restores into it may run it through a helper of another file. Not when the file
    binds its session to names itself and every use of them restores, saves or runs variable initializers
    (a `__main__` smoke test, a checkpoint converter): see _session_only_restores."""
    calls = find_all(module, cst.Call)
    made = any((dotted(call.func) or "").endswith("Session") for call in calls)
    # `sess = make_session()`, `predict_all(sess, ...)`: a session made or run by a helper
    named = any("sess" in name.value.lower() for name in find_all(module, cst.Name))
    return (made or named) and not _session_only_restores(module, calls, bound)


def _session_only_restores(module, calls, bound: FrozenSet[str]) -> bool:
    """Is every use of the file's sessions a restore, a save or an initializer run? Conservative: the sessions must
    be made here and bound to plain names (`with tf.Session() as s:`, `sess = tf.Session()`); a session kept on
    an object (`clf.sess`), made elsewhere, made default (`as_default()`, `get_default_session()`), or any other
    use of its name (handed to a helper, its `.run` of anything else) may run the model."""
    names = set()
    for item in find_all(module, cst.WithItem):
        if isinstance(item.item, cst.Call) and (dotted(item.item.func) or "").endswith("Session") and item.asname \
                and isinstance(item.asname.name, cst.Name):
            names.add(item.asname.name.value)
    for assign in find_all(module, cst.Assign):
        if isinstance(assign.value, cst.Call) and (dotted(assign.value.func) or "").endswith("Session") \
                and len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name):
            names.add(assign.targets[0].target.value)
    made = sum(1 for call in calls if (dotted(call.func) or "").endswith("Session"))
    if not names or made != len(names) or any(
            (dotted(call.func) or "").rsplit(".", 1)[-1] in ("as_default", "get_default_session", "InteractiveSession")
            or isinstance(call.func, cst.Attribute) and call.func.attr.value == "eval" for call in calls):
        return False
    if any("sess" in node.attr.value.lower() and not node.attr.value.endswith("Session")
           for node in find_all(module, cst.Attribute)):
        return False  # `clf.sess`: a session on an object, run by its methods
    allowed = 0
    for call in calls:
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("restore", "save"):
            allowed += sum(1 for arg in call.args if isinstance(arg.value, cst.Name) and arg.value.value in names)
        elif isinstance(call.func, cst.Attribute) and call.func.attr.value == "run" and isinstance(call.func.value, cst.Name) \
                and call.func.value.value in names and len(call.args) == 1 and is_initializer(call.args[0].value, bound):
            allowed += 1
    uses = sum(1 for name in find_all(module, cst.Name) if name.value in names)
    return uses == allowed + len(names)  # each binding is one use


def is_initializer(expr: cst.BaseExpression, bound: FrozenSet[str] = frozenset()) -> bool:
    """`tf.global_variables_initializer()`, `init_op`, `[init, local_init]`, or a name the file binds to an
    initializer (`init_new_vars_op = tf.variables_initializer(new_vars)`, `iterator.make_initializer(ds)`)."""
    if isinstance(expr, (cst.List, cst.Tuple)):
        return bool(expr.elements) and all(is_initializer(e.value, bound) for e in expr.elements)
    if isinstance(expr, cst.Call):
        called = dotted(expr.func) or ""
        if called.rsplit(".", 1)[-1] == "group" and expr.args:  # `tf.group(tf.global_variables_initializer(), ...)`
            return all(a.keyword is None and is_initializer(a.value, bound) for a in expr.args)
        return called.endswith("initializer") or called.rsplit(".", 1)[-1] in _DEPRECATED_INITIALIZERS
    if dotted(expr) in bound:
        return True
    name = (dotted(expr) or "").rsplit(".", 1)[-1]
    # named only for initialising (`init_op`, `local_init`, `val_init_op`), not `initial_state`, `init_logits`
    return bool(words(name) & _INIT_WORDS) and words(name) <= _INIT_NAME_WORDS


def initializer_names(module) -> FrozenSet[str]:
    """Names the file binds to an initializer: a call of one (`tf.variables_initializer(v)`, `tf.group(init_g,
    init_l)` of them) or a list of them."""
    bound: Set[str] = set()
    for assign in find_all(module, cst.Assign):
        value = assign.value
        if isinstance(value, cst.Call) and dotted(value.func) in ("tf.group", "tf.compat.v1.group"):
            value = cst.List([cst.Element(a.value) for a in value.args if a.keyword is None]) if value.args else value
        if is_initializer(value, frozenset(bound)):
            bound.update(dotted(t.target) for t in assign.targets if dotted(t.target))
    return frozenset(bound)


_INIT_WORDS = {"init", "initializer", "initializers", "initialize", "initialise", "initialization", "initialisation"}
_INIT_NAME_WORDS = _INIT_WORDS | {"op", "ops", "global", "local", "all", "var", "vars", "variables", "variable",
                                  "g", "l", "table", "tables", "model", "iterator", "iter", "new", "uninitialized",
                                  "assign", "fn", "train", "val", "valid", "validation", "test", "data", "dataset"}


def _runs_more_than_initializers(module, bound: FrozenSet[str]) -> bool:
    """Does some session run of the file fetch anything but variable initializers (or names in `bound`)?"""
    for call in find_all(module, cst.Call):
        if not isinstance(call.func, cst.Attribute) or call.func.attr.value not in ("run", "eval"):
            continue
        if call.func.attr.value == "run" and not call.args and is_initializer(call.func.value, bound):
            continue  # `tf.global_variables_initializer().run()`
        if call.func.attr.value == "run" and call.args and call.args[0].keyword is None and is_initializer(call.args[0].value, bound):
            continue  # `sess.run(tf.global_variables_initializer())`
        return True
    return False


# Names of a forward pass that is evaluation only when no training code calls it.
_FORWARD_FUNC_WORDS = {"predict", "prediction", "inference", "infer", "serve"}


def eval_function(func: FunctionInfo, training_callee: bool = False) -> bool:
    if func.name.startswith("_") or func.is_module:
        return False
    name_words = words(func.name)
    if name_words & TRAIN_NAME_WORDS:
        return False  # `train_and_test()`, `train_eval()`: it trains too; what it builds is judged by what it runs
    if name_words & _EVAL_FUNC_WORDS:
        return True
    return bool(name_words & _FORWARD_FUNC_WORDS) and not training_callee


def forward_name_trained(func: FunctionInfo, module: str, training_callees) -> bool:
    """Does training code call another function of this module named with the same forward-pass word
    (`inference()` trained, `inference_mem()` for test)? The project then uses the word for its forward passes,
    and the name says nothing about evaluation."""
    forward = words(func.name) & _FORWARD_FUNC_WORDS
    return bool(forward) and any(m == module and words(q.rsplit(".", 1)[-1]) & forward for m, q in training_callees)


def in_estimator_eval_branch(func: FunctionInfo, order: int) -> bool:
    return any(start < order <= end for start, end in func.eval_regions)


def eval_target(names: Iterable[str]) -> bool:
    return any(words(n.split(".")[-1]) & _EVAL_TARGET_WORDS for n in names)


def evaluation_module(module_name: str) -> bool:
    """Is the module named for evaluation, inference or export (`test.py`, `eval_net.py`), not merely found to
    restore a checkpoint (a `main.py` that meta-tests with `--test` trains too, through a flag)?"""
    return bool(words(module_name.rsplit(".", 1)[-1]) & _EVAL_FILE_WORDS)


def samples_by_name(module_name: str, func: FunctionInfo) -> bool:
    """Is this code named for drawing samples (`def sample_images`, `generate_from_ckpt.py`)? Evaluation of a
    kind that uses batch statistics by design when the project never gives that batch norm another mode."""
    stem = module_name.rsplit(".", 1)[-1]
    return bool((words(stem) | (words(func.name) if func.name else set())) & _SAMPLING_WORDS)


def is_eval_context(role: str, func: FunctionInfo, order: int, training_callee: bool = False) -> bool:
    """Is code at `order` inside `func` evaluation code?"""
    if role == UNIT_TEST:
        return False
    if in_estimator_eval_branch(func, order):
        return True
    if eval_function(func, training_callee):
        return True
    if role == EVAL:
        return not (func.train_ops or func.trains_via_callback or (func.name and words(func.name) & _TRAIN_FILE_WORDS and not func.is_module))
    return False
