"""`slimlint server`: a real LSP client session (pygls's LanguageClient) against the server over stdio, and
the server's parts on their own (positions, the kept context files)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from slimlint.findings import Edit, Position
from slimlint.server import positions
from tests.support.cli import run_subprocess

MODEL = '''"""A small convnet with batch norm, shared by the scripts beside it."""

import tensorflow.compat.v1 as tf
import tensorflow.contrib.slim as slim


def inference(images, training):
    net = tf.layers.conv2d(images, 32, 3, padding="same", use_bias=False)
    net = tf.layers.batch_normalization(net, training=training)
    net = tf.nn.relu(net)
    return tf.layers.dense(tf.layers.flatten(net), 10)


def classifier(images, num_classes, is_training):
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                        normalizer_params={"is_training": is_training}):
        net = slim.conv2d(images, 16, [3, 3], scope="conv1")
        return slim.fully_connected(slim.flatten(net), num_classes, activation_fn=None, scope="logits")
'''

# SL104 (safe fix): the update ops are collected, never wired; batch norm is in model.py.
TRAIN = '''import tensorflow.compat.v1 as tf

import model


def build_train_op(images, labels):
    logits = model.inference(images, training=True)
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return train_op, loss
'''
TRAIN_ON_DISK = TRAIN.replace("    train_op = tf.train", "    with tf.control_dependencies(update_ops):\n        train_op = tf.train")

# SL201 (unsafe fix): evaluation code builds the classifier of model.py in training mode.
EVAL = '''"""Evaluate the latest checkpoint."""

import tensorflow.compat.v1 as tf

import model


def main():
    images = tf.placeholder(tf.float32, [None, 8, 8, 1])
    label = "é😀"; logits = model.classifier(images, 10, is_training=True)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint("ckpt"))
        print(sess.run(tf.argmax(logits, 1)))
'''


@pytest.fixture
def lsp_session():
    pytest.importorskip("pygls")  # the `server` extra (CI installs it)
    from tests.support import lsp_session

    return lsp_session


def _project(root: Path, files: dict, config: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f"[tool.slimlint]\n{config}")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _cli_fixed(tmp_path: Path, files: dict, name: str, *options: str) -> str:
    """What `slimlint --fix` writes for `name` in a project holding `files` (written to disk there)."""
    project = _project(tmp_path / f"cli_{name}_{len(options)}", files)
    run_subprocess(["--no-cache", "--fix", *options, name], project).assert_clean_stderr()
    return (project / name).read_text(encoding="utf-8")


def _range_of(text: str, needle: str, lsp_types):
    """The LSP range (UTF-16 characters) of the first `needle` in `text`, computed by hand."""
    start = text.index(needle)
    line = text.count("\n", 0, start)
    column = start - (text.rfind("\n", 0, start) + 1)
    prefix = text[start - column:start]
    character = len(prefix.encode("utf-16-le")) // 2
    width = len(needle.encode("utf-16-le")) // 2
    return lsp_types.Range(start=lsp_types.Position(line, character), end=lsp_types.Position(line, character + width))


def test_buffer_diagnostic_quick_fix_and_clean_after_change(tmp_path, lsp_session):
    """didOpen of a buffer that differs from the disk: SL104 from the buffer (its batch norm is in model.py),
    with the right range; its quick fix and "fix all" give what `slimlint --fix` writes; the fixed text
    clears the diagnostics; shutdown and exit end the server with 0."""
    from lsprotocol import types as lsp

    project = _project(tmp_path / "proj", {"model.py": MODEL, "train.py": TRAIN_ON_DISK})
    train = project / "train.py"
    cli_fixed = _cli_fixed(tmp_path, {"model.py": MODEL, "train.py": TRAIN}, "train.py")
    assert cli_fixed != TRAIN

    async def scenario():
        session = await lsp_session.Session(project).start()
        assert session.capabilities.position_encoding in (None, "utf-16")
        session.open(train, TRAIN, version=1)
        [diag] = await session.diagnostics(train, 1)
        assert (diag.code, diag.source, diag.severity) == ("SL104", "slimlint", lsp.DiagnosticSeverity.Error)
        assert diag.range == _range_of(TRAIN, "tf.get_collection(tf.GraphKeys.UPDATE_OPS)", lsp)
        assert diag.code_description.href.endswith("/rules/SL104.md")

        actions = await session.code_actions(train, diag.range, [diag])
        [quick] = [a for a in actions if a.kind == lsp.CodeActionKind.QuickFix]
        assert quick.is_preferred and "unsafe" not in quick.title.lower()
        fixed = lsp_session.apply(TRAIN, quick.edit, session.uri(train), version=1)
        assert fixed == cli_fixed

        [fix_all] = await session.code_actions(train, diag.range, only=["source.fixAll"])
        assert fix_all.kind == "source.fixAll.slimlint" and fix_all.title == "Fix all safe slimlint problems"
        assert lsp_session.apply(TRAIN, fix_all.edit, session.uri(train), version=1) == cli_fixed

        session.change(train, fixed, version=2)
        assert await session.diagnostics(train, 2) == []
        return await session.close(), await session.stderr()

    code, stderr = asyncio.run(scenario())
    assert code == 0
    assert "Traceback" not in stderr


def test_unsafe_fix_cross_file_and_utf16_columns(tmp_path, lsp_session):
    """SL201 needs model.py (a sibling module on disk) to know the classifier builds batch norm: found from
    the buffer with it, not without it. Its column is counted in UTF-16 after 'é😀' on the same line. The fix
    is offered as unsafe, not preferred, and gives what `slimlint --fix --unsafe-fixes` writes; "fix all"
    (safe fixes only) is not offered. This client resolves edits (as VS Code): the action comes without its
    edit, and codeAction/resolve adds it."""
    from lsprotocol import types as lsp

    with_model = _project(tmp_path / "with_model", {"model.py": MODEL})
    alone = _project(tmp_path / "alone", {})
    cli_fixed = _cli_fixed(tmp_path, {"model.py": MODEL, "eval.py": EVAL}, "eval.py", "--unsafe-fixes")

    async def scenario():
        session = await lsp_session.Session(tmp_path, resolve=True).start()
        session.open(with_model / "eval.py", EVAL)
        session.open(alone / "eval.py", EVAL)
        [diag] = await session.diagnostics(with_model / "eval.py", 1)
        assert await session.diagnostics(alone / "eval.py", 1) == []
        assert diag.code == "SL201"
        assert diag.range == _range_of(EVAL, "True", lsp)
        assert diag.range.start.character == len('    label = "é😀"; logits = model.classifier(images, 10, is_training=') + 1

        [quick] = await session.code_actions(with_model / "eval.py", diag.range, [diag])
        assert quick.kind == lsp.CodeActionKind.QuickFix and not quick.is_preferred
        assert quick.title.startswith("Unsafe fix:") and "SL201" in quick.title
        assert quick.edit is None
        quick = await session.resolve(quick)
        assert lsp_session.apply(EVAL, quick.edit, session.uri(with_model / "eval.py"), version=1) == cli_fixed
        assert await session.code_actions(with_model / "eval.py", diag.range, only=["source.fixAll"]) == []
        return await session.close()

    assert asyncio.run(scenario()) == 0


def test_unparsable_buffer_is_a_diagnostic_and_the_server_goes_on(tmp_path, lsp_session):
    project = _project(tmp_path / "proj", {"model.py": MODEL})
    train = project / "train.py"
    broken = TRAIN.replace("    loss = tf.losses", "    loss = = tf.losses")

    async def scenario():
        session = await lsp_session.Session(project).start()
        session.open(train, broken)
        [diag] = await session.diagnostics(train, 1)
        assert diag.code == "SL900" and diag.range.start.line == 7 and "cannot parse line 8" in diag.message
        session.change(train, TRAIN, 2)
        assert [d.code for d in await session.diagnostics(train, 2)] == ["SL104"]
        return await session.close()

    assert asyncio.run(scenario()) == 0


def test_configuration_noqa_and_saved_context(tmp_path, lsp_session):
    """[tool.slimlint] ignore and a noqa comment silence as in the CLI; a broken configuration is one
    diagnostic, not a crash; saving the model module re-lints the open script with the new context."""
    ignoring = _project(tmp_path / "ignoring", {"model.py": MODEL}, 'ignore = ["SL104"]\n')
    noqa = _project(tmp_path / "noqa", {"model.py": MODEL})
    broken = _project(tmp_path / "broken", {"model.py": MODEL}, 'select = ["SL999"]\n')
    late = _project(tmp_path / "late", {"model.py": "import tensorflow.compat.v1 as tf\n"})
    silenced = TRAIN.replace("(tf.GraphKeys.UPDATE_OPS)", "(tf.GraphKeys.UPDATE_OPS)  # noqa: SL104")

    async def scenario():
        session = await lsp_session.Session(tmp_path).start()
        session.open(ignoring / "train.py", TRAIN)
        session.open(noqa / "train.py", silenced)
        session.open(broken / "train.py", TRAIN)
        session.open(late / "train.py", TRAIN)
        assert await session.diagnostics(ignoring / "train.py", 1) == []
        assert await session.diagnostics(noqa / "train.py", 1) == []
        [config] = await session.diagnostics(broken / "train.py", 1)
        assert "configuration error" in config.message and "SL999" in config.message
        assert await session.diagnostics(late / "train.py", 1) == []
        (late / "model.py").write_text(MODEL)
        session.open(late / "model.py", MODEL, version=7)
        session.save(late / "model.py")
        await asyncio.sleep(0.2)
        session.change(late / "train.py", TRAIN, 2)  # a new version, so the wait below names its run
        assert [d.code for d in await session.diagnostics(late / "train.py", 2)] == ["SL104"]
        return await session.close()

    assert asyncio.run(scenario()) == 0


def test_without_pygls_server_exits_2_with_the_install_hint(tmp_path):
    code = "import sys; sys.modules['pygls'] = None; from slimlint.entry import main; main(['server'])"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "pip install 'slimlint[server]'" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_malformed_message_is_one_log_line_not_a_traceback(tmp_path):
    pytest.importorskip("pygls")
    message = b"Content-Length: 5\r\n\r\n{bad}"
    proc = subprocess.run([sys.executable, "-m", "slimlint", "server"], input=message, cwd=tmp_path,
                          capture_output=True, timeout=60)
    stderr = proc.stderr.decode()
    assert proc.returncode == 1  # the client went away without shutdown and exit
    assert "Traceback" not in stderr and "slimlint server: ERROR: Unable to handle message (JSONDecodeError" in stderr


def test_mistyped_server_command_is_named(tmp_path):
    run = run_subprocess(["servr"], tmp_path)
    assert run.code == 2 and "did you mean 'server'" in run.stderr


# --- the parts on their own --------------------------------------------------------------------------


def test_unchanged_context_files_are_neither_read_nor_parsed_again(tmp_path, monkeypatch):
    from slimlint import engine, source
    from slimlint.server.session import Linter
    from tests.support.files import settle

    project = _project(tmp_path / "proj", {"model.py": MODEL, "other.py": "x = 1\n"})
    settle(project)
    parsed, read = [], []
    real_parse, real_read = engine.Engine.parse, source.read_source
    monkeypatch.setattr(engine.Engine, "parse", lambda self, unit: parsed.append(unit.relpath) or real_parse(self, unit))
    monkeypatch.setattr("slimlint.file_units.read_source", lambda path: read.append(path.name) or real_read(path))
    linter = Linter()
    assert [f.code for f in linter.lint(project / "train.py", TRAIN).findings] == ["SL104"]
    assert sorted(parsed) == ["model.py", "train.py"] and sorted(read) == ["model.py", "other.py"]
    parsed.clear(), read.clear()
    assert [f.code for f in linter.lint(project / "train.py", TRAIN + "\n# edited\n").findings] == ["SL104"]
    assert parsed == ["train.py"] and read == []
    parsed.clear()
    (project / "model.py").write_text(MODEL.replace("training=training", "training=False"))
    assert linter.lint(project / "train.py", TRAIN).findings == []
    assert sorted(parsed) == ["model.py", "train.py"] and read == ["model.py"]


def test_positions_count_utf16_and_only_real_line_ends():
    text = "a = '😀é'; b = 1\r\nc = '\x0c'; d = 2\re = 3\n"
    starts = positions.line_starts(text)
    assert len(starts) == 4  # \r\n, \r and \n end lines; a form feed does not
    b = text.index("b")
    assert positions.lsp_position(text, starts, b) == (0, b + 1)  # the emoji is two UTF-16 units
    assert positions.lsp_position(text, starts, b, positions.UTF8) == (0, b + 4)
    assert positions.lsp_position(text, starts, b, positions.UTF32) == (0, b)
    assert positions.offset_of(text, starts, 2, 10) == text.index("d")
    assert positions.offset_of(text, starts, 3, 99) == text.index("3") + 1  # clamped to the line's end
    assert positions.offset_of(text, starts, 9, 1) == len(text)


def test_line_edits_and_the_minimal_span():
    text = "x = 1\ny = f(a)\nz = 3"
    fixed = positions.apply_line_edits(text, [Edit("y = f(a, b)\n", Position(2, 1), Position(3, 1))])
    assert fixed == "x = 1\ny = f(a, b)\nz = 3"
    assert positions.changed_span(text, fixed) == (len("x = 1\ny = f(a"), len("x = 1\ny = f(a"), ", b")
    assert positions.apply_line_edits(text, [Edit("z = 4\n", Position(3, 1), Position(4, 1))]) == "x = 1\ny = f(a)\nz = 4\n"
    old, new = "a\r\nb", "a\rX\nb"  # the common head and tail both end between \r and \n
    start, end, content = positions.changed_span(old, new)
    assert (start, end) == (1, 3) and old[:start] + content + old[end:] == new
