"""Reading a file for linting: bytes in, decoded text and its facts out.

What LibCST does with a file (measured with libcst 1.9 on CPython 3.11, native parser):

* ``parse_module(bytes)`` detects the encoding itself (``tokenize.detect_encoding``: UTF-8 BOM,
  PEP 263 cookie) and ``module.bytes`` re-encodes with it, so the BOM (``module.encoding ==
  "utf-8-sig"``) and latin-1 / cp1252 files come back byte for byte.  ``module.code`` is the text
  without the BOM, equal to ``Source.text``.
* ``parse_module(str)`` round-trips ``module.code`` but ``module.bytes`` is always plain UTF-8:
  the BOM and any coding cookie's encoding are lost.  Hence ``Source.for_libcst()`` hands over bytes.
* Preserved either way: CRLF files, mixed LF/CRLF, tabs, trailing whitespace, whitespace-only
  and empty files, a missing final newline, a form feed on a line of its own, a CR inside a
  string or comment.
* NOT preserved (``module.bytes != original``), same with str input:
  - a lone ``\\r`` as the last character (``...\\n\\r``; a file whose every line ends in a lone CR, old Mac
    OS, is handed over with LF ends and written back with CRs: ``Source.old_mac``): it is dropped;
  - a form feed before the code on a line (``\\x0cdef f():``): the form feed is dropped;
  - a last line that is a comment ending in a backslash (``# c\\\\`` + newline): the final
    newline is dropped.
  ``Source.roundtrip_problem(module)`` finds these so the engine can lint such a file but refuse
  to write a fix that would also change bytes nobody asked to change.
* ``except ValueError, e:`` *parses* (libcst accepts PEP 758's unparenthesised except lists),
  so a Python 2 file that only has that is linted, not reported as SL900.
* Speed: parsing costs about 7-8 s per MB of Python, so a 5 MB generated file takes ~45 s
  in LibCST; everything in this module is linear in the file size.  LibCST itself is far worse
  than linear on long flat chains (``1 + 1 + ...``: 2,500 terms 7 s, 5,000 terms 43 s;
  2,500 chained ``.g()`` calls 67 s) and its native parser *segfaults* (no RecursionError) on
  ~1,500 nested parentheses in the main thread; a thread with a 512 MB stack parses them.
"""

from __future__ import annotations

import codecs
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Optional

_BOM = codecs.BOM_UTF8


class SourceError(Exception):
    """A file that cannot be linted; ``str()`` is one line: ``path: reason``."""

    def __init__(self, reason: str, path: str = "") -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


class _UnknownCodec(SourceError):
    """A coding cookie naming a codec Python does not know; ``reason`` is the codec's name."""


@dataclass(frozen=True)
class Source:
    display_path: str
    raw: bytes  # exactly what was read: the writer compares against it
    text: str  # decoded, without the BOM; equals ``parse_module(raw).code``
    encoding: str  # as Python names it ("utf-8", "iso-8859-1"); "utf-8-sig" when has_bom
    has_bom: bool
    newline: str  # the dominant line ending: "\n", "\r\n" or "\r" ("\n" when there is none)
    # A Jupyter notebook's program (slimlint/notebook): `raw` is then the notebook file and `text` its code cells.
    notebook: Optional[Any] = None
    # Why it cannot be parsed although it was read (a coding cookie naming a codec Python does not know, which
    # a package would register at run time): reported as SL900; `text` is then its bytes read as UTF-8.
    unreadable: Optional[str] = None

    @property
    def old_mac(self) -> bool:
        """Every line ends in a lone CR (old Mac OS): LibCST drops the last one, so it reads the file with LF
        ends and a fixed text gets its CRs back (encode)."""
        return self.notebook is None and b"\r" in self.raw and b"\n" not in self.raw

    def for_libcst(self) -> bytes:
        """What to pass to ``libcst.parse_module`` so ``module.bytes`` reproduces ``raw`` (a notebook: its program;
        an old-Mac file: its bytes with LF line ends, which ``encode`` turns back)."""
        if self.notebook is not None:
            return self.text.encode("utf-8")
        return self.raw.replace(b"\r", b"\n") if self.old_mac else self.raw

    def encode(self, text: str) -> bytes:
        """Encode fixed text the way this file was encoded (BOM and cookie encoding kept); a notebook's fixed
        program goes back into its cells."""
        if self.notebook is not None:
            from slimlint.notebook import NotebookError

            try:
                return self.notebook.rewrite(text)
            except NotebookError as exc:
                raise SourceError(str(exc), self.display_path) from None
        if self.old_mac:
            text = text.replace("\n", "\r")
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            line, col = _line_col(text, exc.start)
            raise SourceError(
                f"fixed text has {text[exc.start]!r} at line {line}, column {col}, "
                f"which the file's encoding ({self.encoding}) cannot hold",
                self.display_path,
            ) from None

    def roundtrip_problem(self, module) -> str | None:
        """None when ``module.bytes == raw``, else a one-line reason naming the first line that differs.

        A fix written from a module that does not round-trip would also change untouched bytes.
        """
        out, expected = module.bytes, self.for_libcst()
        if out == expected:
            return None
        n = 0
        while n < min(len(out), len(expected)) and out[n] == expected[n]:
            n += 1
        line = expected.count(b"\n", 0, n) + 1
        return f"LibCST does not reproduce this file exactly (first difference on line {line})"


def source_from_bytes(data: bytes, display_path: str) -> Source:
    """Decode ``data`` as Python would (BOM, PEP 263 cookie), or raise SourceError; a `.ipynb` name is read
    as a notebook."""
    if display_path.lower().endswith(".ipynb"):  # notebook.SUFFIX, without importing it for every .py file
        return _notebook_source(data, display_path)
    nul = data.find(b"\0")
    if nul != -1:
        if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise SourceError("is UTF-16 (has a UTF-16 BOM); Python source must be UTF-8 or "
                              "an ASCII-compatible encoding", display_path)
        line, col = _byte_line_col(data, nul)
        raise SourceError(f"contains a NUL byte at line {line}, column {col}; not Python source",
                          display_path)
    has_bom = data.startswith(_BOM)
    try:
        encoding = _detect_encoding(data, display_path)
    except _UnknownCodec as exc:
        # `# -*- coding: future_fstrings -*-`: a codec a pip package registers. slimlint never imports it.
        text = data[len(_BOM):].decode("utf-8", errors="replace") if has_bom else data.decode("utf-8", errors="replace")
        return Source(display_path=display_path, raw=data, text=text, encoding="utf-8", has_bom=has_bom,
                      newline=_dominant_newline(text),
                      unreadable=f"cannot parse: its coding cookie names `{exc.reason}`, a codec Python does not know "
                                 "(a package registers it at run time; slimlint does not run it)")
    # Decode what follows the BOM ourselves: utf-8-sig reports error offsets relative to it.
    body, codec = (data[len(_BOM):], "utf-8") if has_bom else (data, encoding)
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line, col = _byte_line_col(body, exc.start)
        bad = body[exc.start:exc.start + 1].hex()
        hint = (" (a PEP 263 coding cookie such as '# -*- coding: latin-1 -*-' declares another encoding)"
                if codec == "utf-8" else "")
        raise SourceError(
            f"cannot decode byte 0x{bad} at line {line}, column {col} "
            f"(offset {exc.start + len(data) - len(body)}) as {encoding}{hint}",
            display_path,
        ) from None
    return Source(
        display_path=display_path,
        raw=data,
        text=text,
        encoding=encoding,
        has_bom=has_bom,
        newline=_dominant_newline(text),
    )


def _notebook_source(data: bytes, display_path: str) -> Source:
    from slimlint import notebook

    try:
        program = notebook.program_of(data)
    except notebook.NotebookError as exc:
        raise SourceError(str(exc), display_path) from None
    return Source(display_path=display_path, raw=data, text=program.text, encoding="utf-8", has_bom=False,
                  newline="\n", notebook=program)


def read_source(path: Path) -> Source:
    """Read and decode one file; every problem is a SourceError with a one-line reason."""
    display = str(path)
    try:
        # Stat first: opening a FIFO would block, and a directory gives a platform-specific error.
        if path.is_dir():
            raise SourceError("is a directory", display)
        if path.exists() and not path.is_file():
            raise SourceError("is not a regular file", display)
        data = path.read_bytes()
    except SourceError:
        raise
    except FileNotFoundError:
        raise SourceError("no such file", display) from None
    except PermissionError:
        raise SourceError("cannot read: permission denied", display) from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}", display) from None
    return source_from_bytes(data, display)


def read_stdin(display_name: str = "-", stream: BinaryIO | None = None) -> Source:
    """Read a whole file from standard input (bytes, so the encoding rules are the same as for files)."""
    stream = stream if stream is not None else sys.stdin.buffer
    return source_from_bytes(stream.read(), display_name)


def _detect_encoding(data: bytes, display_path: str) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        msg = str(exc)
        if msg.startswith("invalid or missing encoding declaration"):
            # Undecodable bytes on the first two lines: decoding below reports where.
            return "utf-8-sig" if data.startswith(_BOM) else "utf-8"
        if msg.startswith("encoding problem"):
            raise SourceError("has a UTF-8 BOM and a coding cookie naming another encoding",
                              display_path) from None
        if msg.startswith("unknown encoding: "):
            raise _UnknownCodec(msg[len("unknown encoding: "):], display_path) from None
        raise SourceError(msg, display_path) from None
    # A cookie may name UTF-16/32; Python refuses those, and so do we (line ends would be wrong).
    if b"\n#az".decode(encoding, errors="replace") != "\n#az":
        raise SourceError(f"declares encoding {encoding}, which is not ASCII-compatible", display_path)
    return encoding


def _dominant_newline(text: str) -> str:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    # Ties go to "\n", then "\r\n".
    return max((lf, 2, "\n"), (crlf, 1, "\r\n"), (cr, 0, "\r"))[2]


def _byte_line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and byte column of ``offset`` (linear: count, not split)."""
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- SL900 help: where a parse failed, and whether it looks like Python 2 --------------------------

# Python 2 constructs that Python 3 rejects; checked on the failing line only, so cheap.
_PY2_PATTERNS = [
    re.compile(r"^\s*print\s+(?![\s=(.,;)\[\]+\-*/%<>!&|^]|$|in\b|if\b|for\b|and\b|or\b|is\b|not\b)"),
    re.compile(r"^\s*print\s*>>"),
    re.compile(r"^\s*exec\s+['\"\w]"),
    re.compile(r"^\s*raise\s+[\w.]+\s*,"),
    re.compile(r"^\s*except\s+[^:()]+,\s*\w+\s*:"),
    re.compile(r"<>"),
    re.compile(r"`"),
    re.compile(r"(?<![\w.])0\d+(?![\w.])"),  # octal 0777
    re.compile(r"(?<![\w.])\d+[lL](?!\w)"),  # long 10L
    re.compile(r"(?<!\w)(?:ur|UR|Ur|uR)['\"]"),
    re.compile(r"^\s*def\s+\w+\s*\(.*\(\s*\w+\s*,"),  # tuple parameters
]


def is_probably_python2(line: str) -> bool:
    """True when ``line`` has a construct that only Python 2 accepts (print/exec statements, ...)."""
    return any(p.search(line) for p in _PY2_PATTERNS)


class ParseProblem(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based
    message: str  # one line, for SL900


_ERROR_AT = re.compile(r"error at (\d+):(\d+)")


def describe_parse_error(source: Source, exc: Exception) -> ParseProblem:
    """Turn a ``libcst.ParserSyntaxError`` (or SyntaxError) into a one-line SL900 message.

    LibCST's own ``str()`` spans several lines with a caret; its ``raw_line`` is sometimes one
    line late, while the "error at L:C" inside the parser's message is exact, so that wins.
    """
    detail = getattr(exc, "message", None) or getattr(exc, "msg", None) or str(exc)
    detail = detail.splitlines()[0] if detail else "syntax error"
    match = _ERROR_AT.search(detail)
    if match:
        line, column = int(match.group(1)), int(match.group(2)) + 1
    else:
        line = getattr(exc, "editor_line", None) or getattr(exc, "lineno", None) or 1
        column = getattr(exc, "editor_column", None) or getattr(exc, "offset", None) or 1
    lines = source.text.splitlines()
    line = max(1, min(line, len(lines) or 1))
    code = lines[line - 1].strip() if lines else ""
    # The failing construct can be reported on the line after it (tuple parameters), so look back one.
    neighbours = lines[max(0, line - 2):line]
    py2 = any(is_probably_python2(text) for text in neighbours)
    # Keep the parser's expectation list out: "expected one of !=, %, &, ..." helps nobody.
    reason = detail.split(": expected one of")[0]
    reason = _ERROR_AT.sub("", reason).replace("parser error:", "").strip(" :") or "syntax error"
    if len(code) > 80:
        code = code[:77] + "..."
    message = f"cannot parse line {line}: `{code}` ({reason})"
    if py2:
        message += "; Python 2 syntax?"
    return ParseProblem(line, column, message)
