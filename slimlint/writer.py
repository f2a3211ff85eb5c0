"""Writing a fixed file safely: all or nothing, and never over someone else's edit.

The new bytes go to a temporary file in the target's own folder (so ``os.replace`` is an atomic
rename on one file system), are fsynced, get the old file's permission bits and owner, and only
then replace the file.  On any failure the original is untouched and the temporary file removed; one
that a killed run left behind is removed by the next write into the same folder.

Another writer (an editor, a formatter): the file is read again just before the rename and the fix is not
written when it changed, so a save at any time from slimlint's read to its temporary copy is kept. The check
and the rename are still two steps (POSIX has no compare-and-rename): a save in the microseconds between
them would be replaced.

Symlinks: the fix is written *through* the link, to the file it resolves to, and the link stays a
link (replacing the link by a regular file would silently fork a file the user shares on purpose).

Not kept (a rename makes a new inode): hard links to the old file (they keep the old text),
extended attributes and ACLs.  The owner is kept only where the OS lets us (root, or same owner).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

import libcst

from slimlint.big_stack import on_big_stack
from slimlint.source import Source


class WriteError(Exception):
    """A fix that was not written; ``str()`` is one line: ``path: reason``.  The file is unchanged."""

    def __init__(self, reason: str, path: str = "") -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


def write_fixed(path: Path, original: Source, new_bytes: bytes) -> None:
    """Replace ``path`` (which was read as ``original``) by ``new_bytes``, atomically.

    Raises WriteError when the fixed text does not parse, when the file changed on disk since it
    was read, or when the file system refuses; the file is then left as it was.
    """
    display = str(path)
    if new_bytes == original.raw:
        return
    _check_parses(new_bytes, display, original)
    target = Path(os.path.realpath(path))  # write through a symlink, keep the link
    try:
        st = os.stat(target)
    except OSError as exc:
        raise WriteError(f"cannot write: {_reason(exc)}", display) from None
    if not stat.S_ISREG(st.st_mode):
        raise WriteError("cannot write: not a regular file", display)
    if not st.st_mode & stat.S_IWUSR:  # the rename would bypass the mode (and root ignores it anyway)
        raise WriteError("read-only file; fix not written (make it writable to apply it)", display)

    remove_stale_temporaries(target.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise WriteError(f"cannot write to its folder: {_reason(exc)}", display) from None
    try:
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(new_bytes)
                tmp.flush()
                _copy_owner_and_mode(tmp.fileno(), st)
                os.fsync(tmp.fileno())
            # Checked as late as possible: an editor or formatter may have saved meanwhile.
            if _current_bytes(target, display) != original.raw:
                raise WriteError("changed on disk since it was read; fix not written", display)
            os.replace(tmp_name, target)
        except OSError as exc:
            raise WriteError(f"cannot write: {_reason(exc)}", display) from None
    except BaseException:
        _remove_quietly(tmp_name)
        raise
    _fsync_dir(target.parent)


TEMP_SUFFIX = ".slimlint"
# `.<file name>.<mkstemp's 8 random characters>.slimlint`
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + r"$")
STALE_AFTER_SECONDS = 600  # far longer than any write; a younger file may be another run's, in flight


def remove_stale_temporaries(folder: Path) -> list:
    """Remove the temporary files a killed run (`kill -9`, power loss) left in `folder`; return their names.

    Only slimlint's own pattern, beside the file it was for, a regular file (not a link) owned by this
    user and older than STALE_AFTER_SECONDS: never anything a user or another tool made.
    """
    removed = []
    try:
        names = [n for n in os.listdir(folder) if n.endswith(TEMP_SUFFIX)]
    except OSError:
        return removed
    now = time.time()
    for name in names:
        match = _TEMP_NAME.match(name)
        if match is None or not os.path.isfile(os.path.join(folder, match["name"])):
            continue
        path = os.path.join(folder, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
        if stat.S_ISREG(st.st_mode) and mine and now - st.st_mtime > STALE_AFTER_SECONDS:
            _remove_quietly(path)
            removed.append(name)
    return removed


def _check_parses(new_bytes: bytes, display: str, original: Source) -> None:
    # The last safety net: a fix that breaks the file's syntax is a bug, never written.
    try:
        on_big_stack(libcst.parse_module, _python_of(new_bytes, original, display))
    except (libcst.ParserSyntaxError, SyntaxError, UnicodeDecodeError) as exc:
        if original.notebook is None and _python2_file_still_python2(original.raw, new_bytes):
            return  # a Python 2 file, fixed in its own syntax (slimlint/python2)
        where = getattr(exc, "editor_line", None) or getattr(exc, "lineno", None)
        at = f" (line {where})" if where else ""
        raise WriteError(f"fixed text does not parse{at}; file left unchanged "
                         "(please report this slimlint bug)", display) from None
    except RecursionError:
        raise WriteError("fixed text is too deeply nested to re-check; file left unchanged", display) from None


def _python_of(new_bytes: bytes, original: Source, display: str) -> bytes:
    """What to parse: the bytes, or a notebook's code cells as one program (a cell that did not parse before
    the fix is left out as it was then; one the fix broke makes the program fail)."""
    if original.notebook is None:
        return new_bytes
    from slimlint import notebook

    try:
        program = notebook.program_of(new_bytes)
    except notebook.NotebookError as exc:
        raise WriteError(f"fixed notebook cannot be read back ({exc}); file left unchanged "
                         "(please report this slimlint bug)", display) from None
    broken = program.broken_cells(original.notebook)
    if broken or len(program.problems) > len(original.notebook.problems):
        cell = broken[0] if broken else program.problems[-1].cell
        raise WriteError(f"fixed cell {cell} does not parse; file left unchanged (please report this slimlint bug)",
                         display)
    return program.text.encode("utf-8")


def _python2_file_still_python2(original: bytes, new_bytes: bytes) -> bool:
    """The original is a Python 2 file (LibCST refuses it, the Python 2 grammar takes it) and so is the fix."""
    from slimlint.python2 import parses_as_python2

    try:
        on_big_stack(libcst.parse_module, original)
        return False  # a Python 3 file: its fix must stay Python 3
    except (libcst.ParserSyntaxError, SyntaxError, UnicodeDecodeError):
        pass
    except RecursionError:
        return False
    return parses_as_python2(original) and parses_as_python2(new_bytes)


def _current_bytes(target: Path, display: str) -> bytes:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        raise WriteError("was deleted since it was read; fix not written", display) from None


def _copy_owner_and_mode(fd: int, st: os.stat_result) -> None:
    # Owner before mode: chown clears set-id bits.
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except OSError:
        pass  # not root and not the owner: the new file is ours, which is all we can do
    os.fchmod(fd, stat.S_IMODE(st.st_mode))


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; best effort (not every OS/file system allows it).
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()
