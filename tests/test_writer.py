import os
import stat

import pytest

from slimlint import writer
from slimlint.source import read_source
from slimlint.writer import WriteError, write_fixed

BOM = b"\xef\xbb\xbf"
BUGGY = b"train_op = opt.minimize(loss)\r\n"
FIXED = b"with tf.control_dependencies(ops):\r\n    train_op = opt.minimize(loss)\r\n"


def make(tmp_path, data=BUGGY, name="train.py", mode=0o644):
    path = tmp_path / name
    path.write_bytes(data)
    path.chmod(mode)
    return path


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_writes_and_keeps_mode(tmp_path):
    path = make(tmp_path, mode=0o755)
    write_fixed(path, read_source(path), FIXED)
    assert path.read_bytes() == FIXED
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert leftovers(tmp_path) == []


def test_keeps_unusual_mode_and_owner(tmp_path):
    path = make(tmp_path, mode=0o640)
    os.chown(path, 1234, 4321)  # we run as root, so a foreign owner can be set up and must be kept
    write_fixed(path, read_source(path), FIXED)
    st = path.stat()
    assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o640, 1234, 4321)


def test_owner_not_kept_without_privilege_is_not_an_error(tmp_path, monkeypatch):
    path = make(tmp_path, mode=0o600)

    def refuse(fd, uid, gid):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refuse)
    write_fixed(path, read_source(path), FIXED)
    assert path.read_bytes() == FIXED and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_bom_crlf_and_cookie_encoding_are_written_as_given(tmp_path):
    original = BOM + b"x = 1\r\ny = 2\r\n"
    path = make(tmp_path, original)
    source = read_source(path)
    new = source.encode(source.text.replace("y = 2", "y = 3"))
    write_fixed(path, source, new)
    assert path.read_bytes() == BOM + b"x = 1\r\ny = 3\r\n"

    path = make(tmp_path, b"# coding: latin-1\nname = '\xe9'\n", "l.py")
    source = read_source(path)
    write_fixed(path, source, source.encode(source.text + "other = '\u00e8'\n"))
    assert path.read_bytes() == b"# coding: latin-1\nname = '\xe9'\nother = '\xe8'\n"


def test_unchanged_bytes_do_not_touch_the_file(tmp_path, monkeypatch):
    path = make(tmp_path)
    monkeypatch.setattr(os, "replace", None)  # would blow up if called
    write_fixed(path, read_source(path), BUGGY)


def test_refuses_when_file_changed_on_disk(tmp_path):
    path = make(tmp_path)
    source = read_source(path)
    path.write_bytes(b"train_op = opt.minimize(loss)  # edited meanwhile\r\n")
    with pytest.raises(WriteError, match=r"train.py: changed on disk since it was read; fix not written$"):
        write_fixed(path, source, FIXED)
    assert path.read_bytes().endswith(b"# edited meanwhile\r\n")
    assert leftovers(tmp_path) == []


def test_refuses_when_file_deleted(tmp_path):
    path = make(tmp_path)
    source = read_source(path)
    path.unlink()
    with pytest.raises(WriteError, match="cannot write"):
        write_fixed(path, source, FIXED)
    assert list(tmp_path.iterdir()) == []


def test_refuses_unparsable_fix(tmp_path):
    path = make(tmp_path)
    with pytest.raises(WriteError, match=r"fixed text does not parse \(line 2\); file left unchanged"):
        write_fixed(path, read_source(path), b"x = 1\ndef broken(:\n")
    assert path.read_bytes() == BUGGY
    assert leftovers(tmp_path) == []


def test_failing_rename_leaves_original_and_no_temp_file(tmp_path, monkeypatch):
    path = make(tmp_path)

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(WriteError, match=r"train.py: cannot write: no space left on device$"):
        write_fixed(path, read_source(path), FIXED)
    assert path.read_bytes() == BUGGY
    assert leftovers(tmp_path) == []


def test_failing_write_leaves_original_and_no_temp_file(tmp_path, monkeypatch):
    path = make(tmp_path)

    def fail(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(WriteError, match="input/output error"):
        write_fixed(path, read_source(path), FIXED)
    assert path.read_bytes() == BUGGY
    assert leftovers(tmp_path) == []


def test_read_only_directory(tmp_path, monkeypatch):
    # As root, chmod 0o555 does not stop us, so simulate what a normal user would get.
    path = make(tmp_path)

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writer.tempfile, "mkstemp", deny)
    with pytest.raises(WriteError, match=r"train.py: cannot write to its folder: permission denied$"):
        write_fixed(path, read_source(path), FIXED)
    assert path.read_bytes() == BUGGY


def test_interrupt_mid_write_removes_temp_file(tmp_path, monkeypatch):
    path = make(tmp_path)

    def interrupt(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_fixed(path, read_source(path), FIXED)
    assert path.read_bytes() == BUGGY
    assert leftovers(tmp_path) == []


def test_writes_through_symlink_and_keeps_the_link(tmp_path):
    real_dir = tmp_path / "shared"
    real_dir.mkdir()
    real = make(real_dir, mode=0o755)
    link = tmp_path / "train.py"
    link.symlink_to(os.path.relpath(real, tmp_path))
    write_fixed(link, read_source(link), FIXED)
    assert link.is_symlink() and os.readlink(link) == os.path.join("shared", "train.py")
    assert real.read_bytes() == FIXED and stat.S_IMODE(real.stat().st_mode) == 0o755
    assert leftovers(tmp_path) == [] and leftovers(real_dir) == []


def test_refuses_fix_too_deep_to_recheck(tmp_path, monkeypatch):
    # Simulated: really deep nesting (~1500 parentheses) crashes LibCST's native parser outright.
    path = make(tmp_path)

    def too_deep(data):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(writer.libcst, "parse_module", too_deep)
    with pytest.raises(WriteError, match="too deeply nested"):
        write_fixed(path, read_source(path), FIXED)
    assert path.read_bytes() == BUGGY
