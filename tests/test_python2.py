"""The Python 2 front end (slimlint/python2): the view, fixes written in the file's own syntax, SL900."""

from __future__ import annotations

import codecs
from pathlib import Path

import libcst as cst
import pytest

from slimlint.lint import findings_of, lint_tree
from slimlint.findings import Position
from slimlint.python2 import grammar, map_fix, parses
from slimlint.python2.view import derive

TRAIN = '''import tensorflow as tf
slim = tf.contrib.slim


def net(x, is_training):
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm, normalizer_params={'is_training': is_training}):
        return slim.conv2d(x, 8, [3, 3])


def main():
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    loss = tf.reduce_mean(net(x, True))
    print "building"
    train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        for i in xrange(10):
            print >>sys.stderr, "step", `i`, sess.run([train_op, loss])


if __name__ == '__main__':
    main()
'''
FIXED_LINE = "    train_op = slim.learning.create_train_op(loss, tf.train.AdamOptimizer(0.1), global_step=None)\n"


def view_of(text):
    tree, failures = grammar.parse(text)
    assert tree is not None, failures
    return derive(text, tree)


def test_view_keeps_lines_and_columns_and_parses_as_python3():
    text = ('if a <> 10L and b == 0777:\n'
            '    print "x", `y`\n'
            '    exec code in ns\n'
            'try:\n    pass\nexcept IOError, e:\n    raise ValueError, "m"\n'
            's = ur"\\d"\n'
            'def f(a, (b, c)):\n    print\n')
    view = view_of(text)
    cst.parse_module(view.text)
    assert view.text.splitlines() == [
        'if a != 10  and b == 511 :', '    print("x", repr(y))', '    exec(code, ns)', 'try:', '    pass',
        'except IOError as e:', '    raise ValueError( "m")', 's = r"\\d"', 'def f(a, _b__c_):', '    print()']
    assert view.rewritten == {1, 2, 3, 6, 7, 8, 9, 10}
    # `print "x", `y``: "x" stays at column 11; y (view column 21, after `repr(`) goes back to column 17.
    assert view.original_position(Position(2, 11)) == Position(2, 11)
    assert view.original_position(Position(2, 21)) == Position(2, 17)
    assert view.original_position(Position(1, 18)) == Position(1, 18)  # after `<>` and `10L`: unchanged


def test_except_comma_without_a_space_keeps_the_name_apart():
    view = view_of('try:\n    pass\nexcept Exception,e:\n    print e\n')
    cst.parse_module(view.text)
    assert view.text.splitlines()[2] == "except Exception as e:"


def test_ambiguous_tabs_are_expanded_and_consistent_ones_kept():
    mixed = "def f():\n    if x:\n\ty = 1\n    return y\n"
    view = view_of(mixed)
    assert view.text == "def f():\n    if x:\n        y = 1\n    return y\n" and view.rewritten == {3}
    assert view.original_position(Position(3, 9)) == Position(3, 2)
    tabs_only = "def f():\n\tif x:\n\t\ty = 1\n"
    assert view_of(tabs_only).rewritten == frozenset()


def test_tab_mix_cpython_accepts_but_libcst_rejects_is_read_not_sl900(tmp_path: Path):
    # `4 spaces + TAB + 4 spaces` under an 8-space block: CPython reads the tab as column 8 (unambiguous),
    # LibCST's tokenizer finds no matching outer block. The view expands those tabs; the rules still run.
    text = ("import tensorflow as tf\n\n\ndef evaluate(images, extract, deep):\n    net = images\n    if True:\n"
            "        if extract:\n"
            "    \t    if deep:\n    \t        net = tf.layers.batch_normalization(images, training=True)\n"
            "    \t    else:\n    \t        net = images\n        return net\n")
    compile(text, "evaluate.py", "exec")  # valid Python 3
    (tmp_path / "evaluate.py").write_text(text)
    codes = [f.code for f in findings_of(lint_tree(tmp_path))]
    assert "SL900" not in codes and "SL201" in codes


def test_strings_spanning_lines_are_not_reindented():
    text = 'def f():\n    x = """\n\tkept\n"""\n    if x:\n\tprint x\n'
    view = view_of(text)
    assert "\tkept\n" in view.text and view.rewritten == {6}


def test_map_fix_refuses_rewritten_lines_and_keeps_the_rest_verbatim():
    text = "x = 1\nprint x\ny = f(x)\r\n"
    view = view_of(text)
    assert map_fix(view, view.text.replace("f(x)", "g(x)")).view.original == "x = 1\nprint x\ny = g(x)\r\n"
    refused = map_fix(view, view.text.replace("print(x)", "print(x + 1)"))
    assert refused.view is None and "line 2" in refused.reason


@pytest.mark.parametrize("prefix,encoding,newline", [(b"", "utf-8", "\n"), (codecs.BOM_UTF8, "utf-8", "\r\n"),
                                                     (b"# -*- coding: latin-1 -*-\n", "latin-1", "\n")])
def test_fix_is_written_in_python2_syntax_with_bytes_kept(tmp_path: Path, prefix, encoding, newline):
    header = "# caf\u00e9\n"
    body = (header + TRAIN).replace("\n", newline)
    (tmp_path / "train.py").write_bytes(prefix + body.encode(encoding))
    [(unit, outcome)] = lint_tree(tmp_path, {"unsafe-fixes": True}, fix=True)
    assert outcome.error is None and outcome.fixes_applied == 1
    expected = body.replace(
        "    train_op = tf.train.AdamOptimizer(0.1).minimize(loss)" + newline, FIXED_LINE.replace("\n", newline))
    assert outcome.fixed == prefix + expected.encode(encoding)
    assert parses(expected)
    (tmp_path / "train.py").write_bytes(outcome.fixed)
    [(_, again)] = lint_tree(tmp_path, fix=True)
    assert again.fixed is None and [f for f in again.findings if f.fix is not None] == []


def test_findings_point_at_original_columns(tmp_path: Path):
    text = TRAIN.replace('    print "building"\n    train_op = tf.train.AdamOptimizer(0.1).minimize(loss)\n',
                         '    print "built"; train_op = tf.train.AdamOptimizer(0.1).minimize(loss)\n')
    (tmp_path / "train.py").write_text(text)
    [finding] = findings_of(lint_tree(tmp_path))
    line = text.splitlines()[finding.start.line - 1]
    assert finding.code == "SL102" and line[finding.start.column - 1:].startswith("tf.train.AdamOptimizer(0.1).minimize")
    assert finding.fix is None and "no fix offered" in finding.message


def test_sl900_only_when_neither_grammar_parses(tmp_path: Path):
    (tmp_path / "mixed.py").write_text('import batch_norm\nprint "a"\nprint("b", end="")\n')
    (tmp_path / "typo.py").write_text('import batch_norm\nif x:\n    print "a"\n    y = = 2\n')
    (tmp_path / "tabs.py").write_text('#!/usr/bin/env python\nimport batch_norm\nif x:\n    if y:\n\tz = 1\n')
    found = {Path(f.path).name: f for f in findings_of(lint_tree(tmp_path))}
    assert sorted(found) == ["mixed.py", "typo.py"]
    assert (found["typo.py"].start.line, found["typo.py"].start.column) == (4, 9)
    assert "neither the Python 3 nor the Python 2 grammar" in found["typo.py"].message
    assert found["mixed.py"].start.line == 3
    assert "mixes Python 2 syntax (line 2) and Python 3 syntax (line 3)" in found["mixed.py"].message


@pytest.mark.parametrize("text", ["print 'a\n", "\tprint x\n  y\n", "x = (\n", "def f(:\n", "`" * 5, "(" * 300 + "\n"])
def test_bad_input_is_an_sl900_not_a_traceback(tmp_path: Path, text: str):
    (tmp_path / "bad.py").write_text("import batch_norm\n" + text)
    [finding] = findings_of(lint_tree(tmp_path))
    assert finding.code == "SL900" and "\n" not in finding.message
