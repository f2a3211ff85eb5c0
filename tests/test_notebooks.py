"""Jupyter notebooks (issue 16, item 2): code cells checked as one program, findings per cell, fixes written
back into the cells with every other byte of the file kept.

tests/data/notebooks/ holds two real-shaped notebooks: `tutorial.ipynb` as Jupyter (nbformat) writes one
(indent 1, sorted keys, raw UTF-8, final newline, sources as lists of lines, outputs with an image) and
`escaped.ipynb` as other writers do (indent 2, `\\uXXXX` escapes, sources as single strings, no final
newline). Both train in one cell (SL102) and evaluate in another with `is_training=True` (SL201), with the
model built two cells earlier, and use IPython magics.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slimlint.notebook import document, program_of
from slimlint.notebook.document import NotebookError
from slimlint.source import SourceError, source_from_bytes
from slimlint.writer import WriteError, write_fixed
from tests.support.cli import run_cli, run_subprocess

DATA = Path(__file__).parent / "data" / "notebooks"
REAL = [DATA / "tutorial.ipynb", DATA / "escaped.ipynb"]

IMPORTS = "import tensorflow as tf\nimport tensorflow.contrib.slim as slim"
MODEL = ('def model(images, is_training):\n'
         '    net = slim.conv2d(images, 32, [3, 3], normalizer_fn=slim.batch_norm,\n'
         '                      normalizer_params={"is_training": is_training}, scope="conv1")\n'
         '    return slim.fully_connected(slim.flatten(net), 10, activation_fn=None, scope="logits")')
BUILD = ("images = tf.placeholder(tf.float32, [None, 28, 28, 1])\nlabels = tf.placeholder(tf.int64, [None])\n"
         "logits = model(images, is_training=True)\nloss = tf.losses.sparse_softmax_cross_entropy(labels, logits)")
TRAIN = "train_op = tf.train.AdamOptimizer(0.01).minimize(loss)"
CLEAN_TRAIN = "train_op = slim.learning.create_train_op(loss, tf.train.AdamOptimizer(0.01))"
EVAL = ("def evaluate(checkpoint):\n    eval_images = tf.placeholder(tf.float32, [1, 28, 28, 1])\n"
        "    eval_logits = model(eval_images, is_training=True)\n    saver = tf.train.Saver()\n"
        "    with tf.Session() as sess:\n        saver.restore(sess, checkpoint)\n        return sess.run(eval_logits)")


def lines(text: str) -> list:
    return document.split_lines(text)


def code(text: str, as_string: bool = False) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": text if as_string else lines(text)}


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": lines(text)}


def notebook_bytes(cells, indent=1, ensure_ascii=False, final_newline=True, sort_keys=True) -> bytes:
    nb = {"cells": cells, "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(nb, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii)
    return (text + ("\n" if final_newline else "")).encode("utf-8")


def tutorial_cells(train=TRAIN, evaluate=EVAL, as_string=False) -> list:
    """Cell 1 markdown, 2 imports (with magics), 3 the model, 4 its training graph, 5 markdown, 6 the train op,
    7 markdown, 8 restore and evaluate."""
    return [markdown("# Tutorial — batch norm"), code("%matplotlib inline\n!pip install tf_slim\n" + IMPORTS, as_string),
            code(MODEL, as_string), code(BUILD, as_string), markdown("Train:"), code(train, as_string),
            markdown("Evaluate:"), code(evaluate, as_string)]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def findings(run) -> list:
    return json.loads(run.stdout)


# --- the file round-trip ------------------------------------------------------------------------


SHAPES = {
    "nbformat": dict(indent=1, ensure_ascii=False),
    "indent2-escaped": dict(indent=2, ensure_ascii=True),
    "indent2-raw-unsorted-no-newline": dict(indent=2, ensure_ascii=False, sort_keys=False, final_newline=False),
    "compact": dict(indent=None),
}


def _shaped(name: str, as_string: bool) -> bytes:
    cells = tutorial_cells(as_string=as_string)
    cells[2]["source"] = lines(MODEL.replace("model(", "model(  # résumé ≈ \"π\"\n        ", 1)) if not as_string else \
        MODEL.replace("model(", "model(  # résumé ≈ \"π\"\n        ", 1)
    return notebook_bytes(cells, **SHAPES[name])


@pytest.mark.parametrize("as_string", [False, True], ids=["source-list", "source-string"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_no_op_rewrite_gives_identical_bytes(shape, as_string):
    raw = _shaped(shape, as_string)
    program = program_of(raw)
    assert program.rewrite(program.text) == raw
    # Re-encoding every cell (not only skipping unchanged ones) reproduces the writer's style too.
    doc = program.document
    assert doc.rewritten({c.number: c.text for c in doc.cells}, force=True) == raw


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_notebooks_round_trip_byte_for_byte(path):
    raw = path.read_bytes()
    program = program_of(raw)
    assert program.rewrite(program.text) == raw
    assert program.document.rewritten({c.number: c.text for c in program.document.cells}, force=True) == raw


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_fix_changes_only_the_fixed_cells(tmp_path, path):
    target = write(tmp_path / path.name, path.read_bytes())
    run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", str(target)], cwd=tmp_path)
    assert run.code == 0, run.stdout + run.stderr
    before, after = json.loads(path.read_bytes()), json.loads(target.read_bytes())
    changed = [i for i, (a, b) in enumerate(zip(before["cells"], after["cells"])) if a != b]
    assert [i + 1 for i in changed] == [6, 8]
    for i in changed:  # only `source` changed in those cells, and only the fixed line
        assert {k: v for k, v in before["cells"][i].items() if k != "source"} == \
               {k: v for k, v in after["cells"][i].items() if k != "source"}
    old_lines, new_lines = path.read_bytes().splitlines(), target.read_bytes().splitlines()
    assert len(old_lines) == len(new_lines)
    differing = [n for n, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    assert len(differing) == 2  # one JSON line per fix: the rest of the file is byte-identical
    text = target.read_text("utf-8")
    assert "create_train_op" in text and "is_training=False" in text
    assert "%matplotlib inline" in text and "%%time" in text and "evaluate?" in text


# --- findings: cross-cell flow, cell numbers ----------------------------------------------------


def test_cross_cell_findings_with_cell_numbers_in_text_and_json(tmp_path):
    nb = write(tmp_path / "tutorial.ipynb", notebook_bytes(tutorial_cells()))
    text = run_cli(["--no-cache", "--output-format", "concise", "tutorial.ipynb"], cwd=tmp_path)
    assert text.code == 1
    assert "tutorial.ipynb:cell 6:1:12: SL102 " in text.stdout
    assert "tutorial.ipynb:cell 8:3:50: SL201 " in text.stdout
    out = findings(run_cli(["--no-cache", "--output-format", "json", str(nb)], cwd=tmp_path))
    located = {(f["code"], f["cell"], f["location"]["row"], f["location"]["column"], f["noqa_row"]) for f in out}
    assert located == {("SL102", 6, 1, 12, 1), ("SL201", 8, 3, 50, 3)}
    sl201 = next(f for f in out if f["code"] == "SL201")
    edit = sl201["fix"]["edits"][0]
    assert edit["location"]["row"] == 3 and "is_training=False" in edit["content"]


def test_text_snippet_quotes_the_cells_line_not_the_json(tmp_path):
    write(tmp_path / "tutorial.ipynb", notebook_bytes(tutorial_cells()))
    run = run_cli(["--no-cache", "tutorial.ipynb"], cwd=tmp_path)
    assert "1 | train_op = tf.train.AdamOptimizer(0.01).minimize(loss)" in run.stdout
    assert "3 |     eval_logits = model(eval_images, is_training=True)" in run.stdout
    assert '"source"' not in run.stdout


def test_sarif_and_github_use_cell_rows_and_name_the_cell(tmp_path):
    write(tmp_path / "tutorial.ipynb", notebook_bytes(tutorial_cells()))
    sarif = json.loads(run_cli(["--no-cache", "--output-format", "sarif", "tutorial.ipynb"], cwd=tmp_path).stdout)
    results = sarif["runs"][0]["results"]
    assert {(r["properties"]["cell"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results} \
        == {(6, 1), (8, 3)}
    assert all(r["message"]["text"].startswith("cell ") for r in results)
    github = run_cli(["--no-cache", "--output-format", "github", "tutorial.ipynb"], cwd=tmp_path).stdout
    assert "line=3," in github and "::cell 8: SL201" in github


def test_a_clean_notebook_is_silent(tmp_path):
    write(tmp_path / "clean.ipynb", notebook_bytes(tutorial_cells(train=CLEAN_TRAIN,
                                                                  evaluate=EVAL.replace("=True", "=False"))))
    run = run_cli(["--no-cache", "clean.ipynb"], cwd=tmp_path)
    assert run.code == 0, run.stdout
    assert "All checks passed!" in run.stdout


def test_the_notebooks_imports_of_project_modules_are_followed(tmp_path):
    """The model in nets.py beside the notebook: the notebook is judged with it, as a .py file there would be."""
    (tmp_path / "pyproject.toml").write_text("[tool.slimlint]\n")
    (tmp_path / "nets.py").write_text(IMPORTS + "\n\n\n" + MODEL + "\n")
    cells = [code("import tensorflow as tf\nimport tensorflow.contrib.slim as slim\nimport nets"),
             code(BUILD.replace("model(", "nets.model(")), code(TRAIN)]
    write(tmp_path / "train.ipynb", notebook_bytes(cells))
    for args in (["train.ipynb"], ["."]):  # named alone (the project is context) and in a folder scan
        run = run_cli(["--no-cache", "--output-format", "concise", *args], cwd=tmp_path)
        assert "train.ipynb:cell 3:1:12: SL102" in run.stdout, run.stdout


# --- magics -------------------------------------------------------------------------------------


def test_magics_and_shell_escapes_are_neutralised_and_kept(tmp_path):
    cells = [code("%load_ext autoreload\n%autoreload 2\n!nvidia-smi\nfiles = !ls\n" + IMPORTS + "\ntf?\n??slim"),
             code("%%bash\nls -l | wc -l\nif [ -f x ]; then echo $(("),  # not Python: skipped, not an SL900
             code(MODEL), code("%%time\n" + BUILD + "\nfor i in range(2):\n    %time model\n    !echo hi"),
             code('doc = """\n!this is text, not a shell escape?\n%neither\n"""\n' + TRAIN)]
    nb = write(tmp_path / "magics.ipynb", notebook_bytes(cells))
    out = findings(run_cli(["--no-cache", "--output-format", "json", str(nb)], cwd=tmp_path))
    assert [(f["code"], f["cell"], f["location"]["row"]) for f in out] == [("SL102", 5, 5)]
    fixed = run_cli(["--no-cache", "--fix", "--unsafe-fixes", str(nb)], cwd=tmp_path)
    assert fixed.code == 0, fixed.stdout
    after = json.loads(nb.read_bytes())["cells"]
    for i in range(4):
        assert after[i] == cells[i]
    assert "".join(after[4]["source"]).startswith('doc = """\n!this is text, not a shell escape?\n%neither\n"""\n')


def test_a_cell_that_does_not_parse_is_reported_and_the_others_checked(tmp_path):
    cells = tutorial_cells()
    cells.insert(4, code("x = 1\nfor i in range(3:\n    pass"))
    nb = write(tmp_path / "broken_cell.ipynb", notebook_bytes(cells))
    run = run_subprocess(["--no-cache", "--output-format", "concise", str(nb.name)], cwd=tmp_path)
    run.assert_clean_stderr()
    assert run.code == 1
    assert "broken_cell.ipynb:cell 5:2:" in run.stdout and "SL900" in run.stdout
    assert "this cell is not checked" in run.stdout
    assert "broken_cell.ipynb:cell 9:3:50: SL201" in run.stdout  # the other cells still checked
    cells[4] = code("x = 1\nfor i in range(3:  # noqa: SL900\n    pass")
    write(nb, notebook_bytes(cells))
    assert "SL900" not in run_cli(["--no-cache", "--output-format", "concise", nb.name], cwd=tmp_path).stdout


@pytest.mark.parametrize("version, reported", [("2.7.13", False), (None, False), ("3.6.9", True)],
                         ids=["python2-kernel", "kernel-unsaid", "python3-kernel"])
def test_a_python2_cell_is_not_a_syntax_error_in_a_python2_notebook(tmp_path, version, reported):
    """`print x` runs in a Python 2 kernel: no SL900 there (nor when the notebook does not say); a Python 3
    kernel cannot run it. The other cells are checked either way."""
    cells = tutorial_cells()
    cells.insert(4, code("print logits\nfor i in xrange(3):\n    print 'step', i"))
    raw = notebook_bytes(cells)
    if version is not None:
        raw = raw.replace(b'"name": "python"', b'"name": "python", "version": "%s"' % version.encode())
    else:
        raw = raw.replace(b'"language_info": {"name": "python"}', b'"language_info": {}')
    nb = write(tmp_path / "py2.ipynb", raw)
    run = run_cli(["--no-cache", "--output-format", "concise", nb.name], cwd=tmp_path)
    assert ("py2.ipynb:cell 5:1:" in run.stdout and "SL900" in run.stdout) is reported, run.stdout
    assert "py2.ipynb:cell 9:3:50: SL201" in run.stdout  # the other cells still checked


# --- noqa, discovery, fixes ---------------------------------------------------------------------


def test_noqa_inside_a_cell(tmp_path):
    cells = tutorial_cells(train=TRAIN + "  # noqa: SL102", evaluate=EVAL.replace("=True)", "=True)  # noqa: SL1"))
    write(tmp_path / "nq.ipynb", notebook_bytes(cells))
    run = run_cli(["--no-cache", "--output-format", "concise", "nq.ipynb"], cwd=tmp_path)
    assert "SL102" not in run.stdout.replace("noqa: SL102", "")
    assert "nq.ipynb:cell 8:3:50: SL201" in run.stdout
    assert "nq.ipynb:cell 8:3:" in run.stdout and "SL901" in run.stdout  # `SL1` silenced nothing there


def test_add_noqa_writes_into_the_cells(tmp_path):
    nb = write(tmp_path / "adopt.ipynb", notebook_bytes(tutorial_cells()))
    run = run_cli(["--no-cache", "--add-noqa", "adopt.ipynb"], cwd=tmp_path)
    assert run.code == 0
    cells = json.loads(nb.read_bytes())["cells"]
    assert cells[5]["source"] == [TRAIN + "  # noqa: SL102"]
    assert run_cli(["--no-cache", "adopt.ipynb"], cwd=tmp_path).code == 0


def test_folder_scan_finds_notebooks_but_not_checkpoints(tmp_path):
    (tmp_path / "nbs" / ".ipynb_checkpoints").mkdir(parents=True)
    write(tmp_path / "nbs" / "tutorial.ipynb", notebook_bytes(tutorial_cells()))
    write(tmp_path / "nbs" / ".ipynb_checkpoints" / "tutorial-checkpoint.ipynb", notebook_bytes(tutorial_cells()))
    run = run_cli(["--no-cache", "--output-format", "concise", "."], cwd=tmp_path)
    assert "nbs/tutorial.ipynb:cell 6:1:12: SL102" in run.stdout
    assert "checkpoint" not in run.stdout


def test_fix_is_idempotent_and_a_relint_is_clean(tmp_path):
    nb = write(tmp_path / "tutorial.ipynb", notebook_bytes(tutorial_cells(), indent=2, ensure_ascii=True))
    first = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "tutorial.ipynb"], cwd=tmp_path)
    assert first.code == 0 and "2 fixed" in first.stdout
    fixed = nb.read_bytes()
    second = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", "tutorial.ipynb"], cwd=tmp_path)
    assert second.code == 0 and nb.read_bytes() == fixed
    assert run_cli(["--no-cache", "tutorial.ipynb"], cwd=tmp_path).code == 0
    assert fixed.decode("ascii")  # still escaped as the file was


def test_diff_shows_each_changed_cell_and_writes_nothing(tmp_path):
    raw = notebook_bytes(tutorial_cells())
    nb = write(tmp_path / "tutorial.ipynb", raw)
    run = run_cli(["--no-cache", "--diff", "--unsafe-fixes", "tutorial.ipynb"], cwd=tmp_path)
    assert run.code == 1
    assert "--- a/tutorial.ipynb:cell 6\n+++ b/tutorial.ipynb:cell 6\n" in run.stdout
    assert "-    eval_logits = model(eval_images, is_training=True)\n" in run.stdout
    assert "+    eval_logits = model(eval_images, is_training=False)\n" in run.stdout
    assert '"source"' not in run.stdout and "cell 2" not in run.stdout
    assert nb.read_bytes() == raw


def test_stdin_notebook(tmp_path):
    raw = notebook_bytes(tutorial_cells())
    run = run_cli(["--output-format", "concise", "-", "--stdin-filename", "tutorial.ipynb"], cwd=tmp_path, stdin=raw)
    assert "tutorial.ipynb:cell 8:3:50: SL201" in run.stdout
    fixed = run_cli(["--fix", "--unsafe-fixes", "-", "--stdin-filename", "tutorial.ipynb"], cwd=tmp_path, stdin=raw)
    assert json.loads(fixed.stdout_bytes or fixed.stdout)["cells"][5]["source"] == [CLEAN_TRAIN.replace(
        "0.01))", "0.01), global_step=None)")]


def test_the_cache_keys_notebooks_on_their_bytes(tmp_path):
    nb = write(tmp_path / "tutorial.ipynb", notebook_bytes(tutorial_cells()))
    args = ["--output-format", "concise", "--cache-dir", str(tmp_path / "cache"), "tutorial.ipynb"]
    first, again = run_cli(args, cwd=tmp_path), run_cli(args, cwd=tmp_path)
    assert first.stdout == again.stdout and "cell 8:3:50: SL201" in again.stdout  # cells survive the cache
    write(nb, notebook_bytes(tutorial_cells(train=CLEAN_TRAIN)))
    assert "SL102" not in run_cli(args, cwd=tmp_path).stdout


# --- broken notebooks and the writer's last check -----------------------------------------------


@pytest.mark.parametrize("content, reason", [
    (b'{"cells": [', "invalid JSON"),
    (b"\xff\xfe not utf-8", "not UTF-8"),
    (b'{"metadata": {}, "nbformat": 4}', "no `cells` list"),
    (b'{"nbformat": 3, "worksheets": [{"cells": []}]}', "nbformat 3"),
    (b'[1, 2]', "not an object"),
    (b'{"cells": [{"cell_type": "code", "source": 3}], "nbformat": 4}', "neither text nor a list"),
])
def test_a_broken_notebook_is_a_per_file_error(tmp_path, content, reason):
    write(tmp_path / "bad.ipynb", content)
    write(tmp_path / "good.ipynb", notebook_bytes(tutorial_cells()))
    run = run_subprocess(["--no-cache", "--output-format", "concise", "bad.ipynb", "good.ipynb"], cwd=tmp_path)
    run.assert_clean_stderr()
    assert run.code == 2
    assert f"bad.ipynb: error: " in run.stdout + run.stderr and reason in run.stdout + run.stderr
    assert "good.ipynb:cell 8:3:50: SL201" in run.stdout  # the other file is still checked


def test_the_writer_refuses_a_notebook_whose_fixed_cell_does_not_parse(tmp_path):
    raw = notebook_bytes(tutorial_cells())
    nb = write(tmp_path / "tutorial.ipynb", raw)
    source = source_from_bytes(raw, str(nb))
    broken = source.notebook.document.rewritten({6: "train_op = (("})
    with pytest.raises(WriteError, match="fixed cell 6 does not parse"):
        write_fixed(nb, source, broken)
    with pytest.raises(WriteError, match="cannot be read back"):
        write_fixed(nb, source, b"{}")
    assert nb.read_bytes() == raw
    good = source.notebook.document.rewritten({6: CLEAN_TRAIN})
    write_fixed(nb, source, good)
    assert nb.read_bytes() == good


def test_a_fix_across_cells_is_refused_not_misplaced():
    program = program_of(notebook_bytes([code("a = 1\nb = 2"), code("c = 3")]))
    with pytest.raises(NotebookError, match="cells 1 to 2"):
        program.rewrite("a = 1\nbc = 23\n")
    # Inserted before a cell's first line: the later cell takes it; at the very end: the last cell.
    assert json.loads(program.rewrite("a = 1\nb = 2\nnew = 0\nc = 3\nend = 1\n"))["cells"][1]["source"] == \
        ["new = 0\n", "c = 3\n", "end = 1"]


def test_fixes_of_adjacent_one_line_cells_stay_in_their_cells(tmp_path):
    """difflib joins the edits of two adjacent one-line cells into one change; each cell gets its own back,
    the `with` line a fix adds going with the statement it wraps."""
    build = ("import tensorflow as tf\nimages = tf.placeholder(tf.float32, [None, 4])\n"
             "is_training = tf.placeholder(tf.bool)\n"
             "net = tf.contrib.layers.batch_norm(tf.layers.dense(images, 4), is_training=is_training)\n"
             "loss_g = tf.reduce_mean(net)\nloss_d = tf.reduce_mean(net * 2)")
    cells = [code(build), code("opt_g = tf.train.AdamOptimizer(0.1).minimize(loss_g)"),
             code("opt_d = tf.train.AdamOptimizer(0.1).minimize(loss_d)"),
             code("sess = tf.Session()\nsess.run(net, {images: [[1, 2, 3, 4]], is_training: False})")]
    nb = write(tmp_path / "gan.ipynb", notebook_bytes(cells))
    assert run_cli(["--no-cache", "--fix", "--unsafe-fixes", nb.name], cwd=tmp_path).code == 0
    after = json.loads(nb.read_bytes())["cells"]
    wrap = "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
    assert after[1]["source"] == [wrap, "    opt_g = tf.train.AdamOptimizer(0.1).minimize(loss_g)"]
    assert after[2]["source"] == [wrap, "    opt_d = tf.train.AdamOptimizer(0.1).minimize(loss_d)"]
    assert after[0] == cells[0] and after[3] == cells[3]
    assert run_cli(["--no-cache", nb.name], cwd=tmp_path).code == 0


def test_a_with_line_a_fix_adds_stays_with_the_statement_it_wraps(tmp_path):
    """Two fixes at a cell boundary: the last line of cell 2 changes (SL202) and the first statement of
    cell 3 is wrapped in a `with` (SL101). The `with` line resembles cell 2's old last line more than
    anything else, but it opens the block of cell 3's statement: it must go to cell 3."""
    cells = [code("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 4])\n"
                  "is_training = tf.placeholder(tf.bool)\n"
                  "h = tf.contrib.layers.batch_norm(tf.layers.dense(x, 8), is_training=is_training)\n"
                  "loss = tf.reduce_mean(h)"),
             code("def head(x, is_training):\n    h = tf.layers.dense(x, 10)\n"
                  "    return tf.layers.batch_normalization(h)"),
             code("train_op = tf.train.AdamOptimizer(1e-3).minimize(loss + tf.reduce_mean(head(h, True)))"),
             code("sess = tf.Session()\nsess.run(h, {x: [[1, 2, 3, 4]], is_training: False})")]
    nb = write(tmp_path / "mlp.ipynb", notebook_bytes(cells))
    assert run_cli(["--no-cache", "--fix", "--unsafe-fixes", nb.name], cwd=tmp_path).code == 0
    after = json.loads(nb.read_bytes())["cells"]
    assert after[1]["source"][-1] == "    return tf.layers.batch_normalization(h, training=is_training)"
    assert after[2]["source"] == ["with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n",
                                  "    " + cells[2]["source"][0]]
    for cell in after:
        compile("".join(cell["source"]), "<cell>", "exec")


def test_the_writer_refuses_a_fix_that_breaks_a_cell_on_its_own(tmp_path):
    """The cells joined still parse, but Jupyter compiles each cell alone: a block split across two cells
    breaks both, and the writer must refuse it."""
    raw = notebook_bytes([code("x = 1"), code("y = x + 1")])
    nb = write(tmp_path / "split.ipynb", raw)
    source = source_from_bytes(raw, str(nb))
    broken = source.notebook.document.rewritten({1: "x = 1\nif x:", 2: "    y = x + 1"})
    with pytest.raises(WriteError, match="cell 1 does not parse"):
        write_fixed(nb, source, broken)
    assert nb.read_bytes() == raw


def test_an_empty_notebook_file_has_no_cells(tmp_path):
    """Tutorial repositories commit empty lesson files: nothing to check, not an error (as ruff reads them)."""
    write(tmp_path / "lesson.ipynb", b"")
    write(tmp_path / "train.py", b"import tensorflow as tf\nx = tf.layers.batch_normalization(tf.zeros([2, 2]))\n"
                                b"op = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(x))\n")
    run = run_cli(["--no-cache", "--output-format", "json", "."], cwd=tmp_path)
    assert run.code == 1 and {f["filename"].rsplit("/", 1)[-1] for f in findings(run)} == {"train.py"}


def test_an_import_a_fix_adds_extends_the_cell_of_the_imports(tmp_path):
    """LibCST adds `import ... as slim` below the last import, that is between cell 1 and cell 2: it belongs
    to cell 1, without the blank line that separated it from cell 2's first statement."""
    cells = [code("import tensorflow as tf\nfrom tensorflow.contrib.slim import conv2d, batch_norm"),
             code("images = tf.placeholder(tf.float32, [None, 28, 28, 1])\n"
                  "net = conv2d(images, 8, [3, 3], normalizer_fn=batch_norm)\nloss = tf.reduce_mean(net)"),
             code(TRAIN)]
    nb = write(tmp_path / "imports.ipynb", notebook_bytes(cells))
    assert run_cli(["--no-cache", "--fix", "--unsafe-fixes", nb.name], cwd=tmp_path).code == 0
    after = json.loads(nb.read_bytes())["cells"]
    assert after[0]["source"] == cells[0]["source"][:1] + [cells[0]["source"][1] + "\n",
                                                          "import tensorflow.contrib.slim as slim"]
    assert after[1] == cells[1]
    assert run_cli(["--no-cache", nb.name], cwd=tmp_path).code == 0


def test_source_errors_name_the_notebook():
    with pytest.raises(SourceError, match="not a notebook"):
        source_from_bytes(b"nope", "x.ipynb")



def test_neutralize_only_takes_ipython_lines_that_start_a_statement():
    from slimlint.notebook.magics import neutralize

    cell = ['x = f(  # why?\n', '    !y)\n', 's = "is it?"  # sure?\n', "%time g()\n", "if x:\n", "    !ls \\\n",
            "       -l\n", "obj??\n"]
    hidden = []
    out, python = neutralize(cell, lambda original, code: hidden.append(original) or f"{code}#H")
    assert python and out[:3] == cell[:3] and out[4] == cell[4]
    assert hidden == ["%time g()", "    !ls \\", "       -l", "obj??"]
    assert out[3] == "pass  #H\n" and out[5] == "    pass  #H\n" and out[6] == "    pass  #H\n"
    assert neutralize(["%%bash\n", "echo $((\n"], lambda original, code: f"{code}#H")[1] is False


def test_a_cell_magic_after_comment_lines_still_makes_the_cell_not_python():
    """Colab's `#@title` forms and notes come before the magic: the cell is bash, not a syntax error."""
    from slimlint.notebook.magics import neutralize

    hide = lambda original, code: f"{code}#H"
    assert neutralize(["#@title Setup\n", "# fetch the code\n", "%%bash\n", "test -d x || git clone y\n"], hide)[1] is False
    out, python = neutralize(["# how long it takes\n", "%%time\n", "x = f()\n"], hide)
    assert python and out[0] == "# how long it takes\n" and out[2] == "x = f()\n" and out[1].endswith("#H\n")
    # After a statement, `%%bash` is no cell magic (IPython reads it as a line): the cell stays Python.
    assert neutralize(["x = 1\n", "%%bash\n"], hide)[1] is True


def test_a_notebook_named_eval_is_evaluation_code(tmp_path):
    """The name decides, as for eval.py: the same cells under another name are a library (no SL201)."""
    cells = [code(IMPORTS), code(MODEL), code("images = tf.placeholder(tf.float32, [1, 28, 28, 1])\n"
                                              "logits = model(images, is_training=True)")]
    write(tmp_path / "eval.ipynb", notebook_bytes(cells))
    write(tmp_path / "explore.ipynb", notebook_bytes(cells))
    run = run_cli(["--no-cache", "--output-format", "concise", "eval.ipynb", "explore.ipynb"], cwd=tmp_path)
    assert "eval.ipynb:cell 3:2:36: SL201" in run.stdout, run.stdout
    assert "explore.ipynb" not in run.stdout


def test_a_notebook_of_another_language_has_no_python(tmp_path):
    raw = notebook_bytes(tutorial_cells()).replace(b'"name": "python"', b'"name": "R"')
    write(tmp_path / "r.ipynb", raw)
    run = run_cli(["--no-cache", "r.ipynb"], cwd=tmp_path)
    assert run.code == 0 and "All checks passed!" in run.stdout


@pytest.mark.parametrize("variant", ["crlf", "bom"])
def test_windows_line_ends_and_a_bom_are_kept(tmp_path, variant):
    raw = notebook_bytes(tutorial_cells(), indent=2)
    raw = raw.replace(b"\n", b"\r\n") if variant == "crlf" else b"\xef\xbb\xbf" + raw
    program = program_of(raw)
    assert program.rewrite(program.text) == raw
    nb = write(tmp_path / "win.ipynb", raw)
    assert run_cli(["--no-cache", "--fix", "--unsafe-fixes", nb.name], cwd=tmp_path).code == 0
    fixed = nb.read_bytes()
    assert fixed.startswith(b"\xef\xbb\xbf") == (variant == "bom")
    assert (b"\n" not in fixed.replace(b"\r\n", b"")) == (variant == "crlf")
    assert len(fixed.splitlines()) == len(raw.splitlines()) and b"create_train_op" in fixed
