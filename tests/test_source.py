import io
import os
import time

import libcst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slimlint.source import (
    SourceError,
    describe_parse_error,
    is_probably_python2,
    read_source,
    read_stdin,
    source_from_bytes,
)

BOM = b"\xef\xbb\xbf"

# Files LibCST must reproduce byte for byte when given Source.for_libcst().
ROUNDTRIP_CASES = {
    "plain": b"import tensorflow as tf\nx = 1\n",
    "bom": BOM + b"x = 1\n",
    "crlf": b"x = 1\r\ny = 2\r\n",
    "mixed_newlines": b"x = 1\r\ny = 2\nz = 3\r\n",
    "latin1_cookie": b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n",
    "latin1_cookie_crlf": b"# -*- coding: latin-1 -*-\r\nname = '\xe9'\r\n",
    "vim_cookie_line2": b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nq = '\x93q\x94'\n",
    "bom_crlf": BOM + b"x = 1\r\ny = 2\r\n",
    "bom_and_utf8_cookie": BOM + b"# coding: utf-8\nx = '\xc3\xa9'\n",
    "tabs": b"if x:\n\ty = 1\n",
    "trailing_whitespace": b"x = 1   \ny = 2\t\n",
    "no_final_newline": b"x = 1",
    "no_final_newline_crlf": b"x = 1\r\ny = 2",
    "trailing_spaces_at_eof": b"x = 1\n   ",
    "form_feed_own_line": b"x = 1\n\x0c\ny = 2\n",
    "empty": b"",
    "whitespace_only": b"  \n\n\t\n",
    "utf8_text": "label = 'ma\u00efs \u2192 \u732b'\n".encode(),
    "cr_inside_string": b"x = '''a\rb'''\n",
}


@pytest.mark.parametrize("data", ROUNDTRIP_CASES.values(), ids=ROUNDTRIP_CASES.keys())
def test_libcst_roundtrips_bytes_exactly(data):
    source = source_from_bytes(data, "f.py")
    module = libcst.parse_module(source.for_libcst())
    assert module.bytes == data
    assert module.code == source.text
    assert source.roundtrip_problem(module) is None
    assert source.encode(source.text) == data


# Measured LibCST losses (see the module docstring): the engine must not write fixes for these.
NOT_ROUNDTRIPPING = {
    "lone_cr_at_eof": b"x = 1\ny = 2\r",
    "form_feed_before_code": b"x = 1\n\x0cy = 2\n",
    "backslash_comment_last": b"x = 1\n# c\\\n",
}


@pytest.mark.parametrize("data", NOT_ROUNDTRIPPING.values(), ids=NOT_ROUNDTRIPPING.keys())
def test_roundtrip_problem_reports_libcst_losses(data):
    source = source_from_bytes(data, "f.py")
    problem = source.roundtrip_problem(libcst.parse_module(source.for_libcst()))
    assert problem is not None and "line" in problem


def test_old_mac_line_ends_are_read_with_lf_and_written_back():
    """Every line ending in a lone CR: LibCST would drop the last one, so it gets the file with LF ends
    (Source.old_mac) and what it writes gets the CRs back."""
    source = source_from_bytes(b"x = 1\ry = 2\r", "f.py")
    assert source.old_mac and source.for_libcst() == b"x = 1\ny = 2\n"
    assert source.roundtrip_problem(libcst.parse_module(source.for_libcst())) is None
    assert source.encode("x = 1\ny = 3\n") == b"x = 1\ry = 3\r"
    assert not source_from_bytes(b"x = 1\r\ny = 2\r", "g.py").old_mac  # a CR before an LF is CRLF, not old Mac


def test_parse_of_str_loses_bom_and_cookie_encoding():
    # Why for_libcst() returns bytes: parse_module(str).bytes is always plain UTF-8.
    for data in (ROUNDTRIP_CASES["bom"], ROUNDTRIP_CASES["latin1_cookie"]):
        source = source_from_bytes(data, "f.py")
        module = libcst.parse_module(source.text)
        assert module.code == source.text
        assert module.bytes != data


def test_source_fields():
    s = source_from_bytes(BOM + b"x = 1\r\ny = 2\r\nz = 3\n", "a.py")
    assert (s.encoding, s.has_bom, s.newline, s.text) == ("utf-8-sig", True, "\r\n", "x = 1\r\ny = 2\r\nz = 3\n")
    s = source_from_bytes(b"# coding: latin-1\nx = '\xe9'\n", "b.py")
    assert (s.encoding, s.has_bom, s.newline) == ("iso-8859-1", False, "\n")
    assert s.text.endswith("x = '\u00e9'\n")
    assert source_from_bytes(b"", "e.py").newline == "\n"
    assert source_from_bytes(b"a\rb\rc\r\n", "m.py").newline == "\r"


def test_encode_refuses_characters_the_encoding_cannot_hold():
    s = source_from_bytes(b"# coding: latin-1\nx = 1\n", "l.py")
    with pytest.raises(SourceError, match=r"line 2, column 6.*iso-8859-1"):
        s.encode("# coding: latin-1\nx = '\u732b'\n")


@pytest.mark.parametrize(
    "data, pattern",
    [
        (b"x = 1\ny = 2\nz = '\xe9'\n", r"byte 0xe9 at line 3, column 6 \(offset 17\) as utf-8.*coding cookie"),
        (b"x = '\xff'\n", r"byte 0xff at line 1, column 6 .* as utf-8"),  # tokenize fails first here
        (BOM + b"x = '\xff'\n", r"byte 0xff at line 1, column 6 \(offset 8\) as utf-8-sig"),
        (b"# coding: ascii\nx = '\xe9'\n", r"byte 0xe9 at line 2, column 6 .* as ascii"),
        (BOM + b"# coding: latin-1\nx = 1\n", r"BOM and a coding cookie"),
        (b"# coding: utf-16\nx = 1\n", r"not ASCII-compatible"),
        (b"x = 1\ny = 2\x00\n", r"NUL byte at line 2, column 6"),
        (b"\xff\xfex\x00=\x001\x00", r"UTF-16"),
    ],
)
def test_undecodable_sources(data, pattern):
    with pytest.raises(SourceError, match=pattern) as info:
        source_from_bytes(data, "bad.py")
    message = str(info.value)
    assert message.startswith("bad.py: ") and "\n" not in message
    assert "Traceback" not in message and "codec" not in message


def test_unknown_codec_is_read_but_marked_unparsable():
    """A cookie naming a codec a package registers at run time (future-fstrings): the file is read (as UTF-8,
    for positions and noqa) and reported as SL900, never decoded by running the codec."""
    data = b"# -*- coding: future_fstrings -*-\nimport tensorflow as tf\nx = f'{tf}'\n"
    s = source_from_bytes(data, "tree.py")
    assert s.unreadable is not None and "future_fstrings" in s.unreadable
    assert s.raw == data and s.text == data.decode("utf-8")


def test_unknown_codec_file_is_sl900_and_the_run_goes_on(tmp_path):
    from slimlint.lint import findings_of, lint_tree

    (tmp_path / "tree.py").write_bytes(b"# -*- coding: future_fstrings -*-\nimport tensorflow as tf\n\n"
                                       b"net = tf.layers.batch_normalization(tf.zeros([2, 3]), training=True)\n")
    (tmp_path / "train.py").write_text(
        "import tensorflow as tf\n\nnet = tf.layers.batch_normalization(tf.zeros([2, 3]), training=True)\n"
        "train_op = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_mean(net))\n")
    found = [(f.path.rsplit("/", 1)[-1], f.start.line, f.code) for f in findings_of(lint_tree(tmp_path))]
    assert ("tree.py", 1, "SL900") in found and ("train.py", 4, "SL101") in found


def test_an_unknown_codec_module_still_gives_its_facts_to_the_project(tmp_path):
    """Its helper returning UPDATE_OPS wires the importer's train op: no SL101 there, and no rule checks the
    unreadable file itself (only its SL900)."""
    from slimlint.lint import findings_of, lint_tree

    (tmp_path / "helpers.py").write_bytes(b"# -*- coding: future_fstrings -*-\nimport tensorflow as tf\n\n\n"
                                          b"def update_ops():\n    return tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n")
    (tmp_path / "train.py").write_text(
        "import tensorflow as tf\nfrom helpers import update_ops\n\n"
        "net = tf.layers.batch_normalization(tf.zeros([2, 3]), training=True)\n"
        "updates = update_ops()\nwith tf.control_dependencies(updates):\n"
        "    train_op = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_mean(net))\n")
    found = [(f.path.rsplit("/", 1)[-1], f.start.line, f.code) for f in findings_of(lint_tree(tmp_path))]
    assert found == [("helpers.py", 1, "SL900")]
    (tmp_path / "helpers.py").write_bytes(b"import tensorflow as tf\n\n\ndef update_ops():\n    return []\n")
    assert [f.code for f in findings_of(lint_tree(tmp_path))] == ["SL101"]  # the facts decide, not the file name


def test_read_source(tmp_path):
    f = tmp_path / "train.py"
    f.write_bytes(b"x = 1\r\n")
    s = read_source(f)
    assert (s.display_path, s.raw, s.newline) == (str(f), b"x = 1\r\n", "\r\n")


def test_read_source_errors(tmp_path, monkeypatch):
    with pytest.raises(SourceError, match="is a directory"):
        read_source(tmp_path)
    with pytest.raises(SourceError, match="no such file"):
        read_source(tmp_path / "missing.py")
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file"):
        read_source(fifo)  # must not block
    # We run as root, so chmod 000 would not stop us reading: simulate the refusal instead.
    f = tmp_path / "secret.py"
    f.write_text("x = 1\n")

    def deny(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(f), "read_bytes", deny)
    with pytest.raises(SourceError, match=r"secret.py: cannot read: permission denied$"):
        read_source(f)


def test_read_stdin():
    s = read_stdin("train.py", io.BytesIO(BOM + b"x = 1\n"))
    assert (s.display_path, s.has_bom, s.text) == ("train.py", True, "x = 1\n")
    assert read_stdin(stream=io.BytesIO(b"")).display_path == "-"


def test_big_file_is_linear(tmp_path):
    # A 5 MB generated file must be read (and its errors located) without anything quadratic.
    line = b"w_%d = slim.batch_norm(x, is_training=True)  # generated\r\n"
    data = b"".join(line % i for i in range(100_000))
    assert len(data) > 5_000_000
    f = tmp_path / "big.py"
    f.write_bytes(data)
    start = time.perf_counter()
    s = read_source(f)
    assert s.newline == "\r\n" and len(s.text) == len(data)
    with pytest.raises(SourceError, match="line 100001"):
        source_from_bytes(data + b"z = '\xe9'\n", "big.py")
    assert time.perf_counter() - start < 5


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab =\t\n\r\x0c#'\"\\:(),\u00e9\u732b", max_size=60))
def test_decoding_matches_libcst(text):
    data = text.encode("utf-8")
    source = source_from_bytes(data, "h.py")
    assert source.text == text
    try:
        module = libcst.parse_module(source.for_libcst())
    except libcst.ParserSyntaxError:
        return
    # roundtrip_problem is exactly "bytes differ from what LibCST was given", and a round-trip also gives back
    # the text (an old-Mac file's with its CRs as LFs).
    assert (source.roundtrip_problem(module) is None) == (module.bytes == source.for_libcst())
    if module.bytes == data:
        assert module.code == source.text
    elif source.old_mac and module.bytes == source.for_libcst():
        assert module.code == source.text.replace("\r", "\n")


@pytest.mark.parametrize(
    "code, line, py2",
    [
        ("import tensorflow as tf\nprint \"loss %f\" % loss\n", 2, True),
        ("x = 1\nprint loss\n", 2, True),
        ("raise ValueError, 'bad'\n", 1, True),
        ("exec \"x = 1\"\n", 1, True),
        ("mode = 0777\n", 1, True),
        ("steps = 10L\n", 1, True),
        ("if a <> b:\n    pass\n", 1, True),
        ("s = `x`\n", 1, True),
        ("def f(a, (b, c)):\n    pass\n", 1, True),
        ("def f(:\n    pass\n", 1, False),
        ("x = (1,\n", 1, False),
    ],
)
def test_describe_parse_error(code, line, py2):
    source = source_from_bytes(code.encode(), "old.py")
    with pytest.raises(libcst.ParserSyntaxError) as info:
        libcst.parse_module(source.for_libcst())
    problem = describe_parse_error(source, info.value)
    assert problem.line in (line, line + 1)
    assert problem.message.startswith(f"cannot parse line {problem.line}: `")
    assert "\n" not in problem.message and "expected one of" not in problem.message
    assert problem.message.endswith("; Python 2 syntax?") == py2


def test_python2_heuristic_leaves_python3_alone():
    for line in ["print(x)", "print", "print >= 3", "x = 0o777", "x = 0", "x = 1.05", "except (A, B) as e:",
                 "printer = 1", "raise ValueError('a, b')", "x = 10", "exec(code)"]:
        assert not is_probably_python2(line), line
    for line in ['print "hello"', "print x, y", "print >>sys.stderr, 'x'", "except IOError, e:",
                 "exec code in ns", "x = 0777", "n = 3L", "s = ur'x'"]:
        assert is_probably_python2(line), line
