"""A notebook file's JSON, kept as bytes: where each cell's `source` lies in them, and a rewrite that
replaces only the `source` values of edited cells.

nbformat (and `json.dump` with other options) would re-serialise the whole file: key order, indentation,
`ensure_ascii` and the trailing newline could all change. Here the stdlib json only validates and reads
the cells; a small scanner finds the byte span of each `source` value, and an edited cell's value is
re-encoded in the style the file already uses (list of lines or one string; the same separators; non-ASCII
text raw or `\\uXXXX`), reusing the exact JSON text of every line that did not change.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

_BOM = codecs.BOM_UTF8
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STRUCTURE = re.compile(r'["\[\]{}]')
_SCALAR = re.compile(r"[^\s,\]}]+")
_ESCAPED_NON_ASCII = re.compile(r"\\u(?!00[0-7])[0-9a-fA-F]{4}")
_WHITESPACE = " \t\r\n"


class NotebookError(Exception):
    """Not a notebook slimlint can read or write; ``str()`` is one line."""


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based over every cell (markdown included), as Jupyter shows them and ruff reports them
    kind: str  # "code", "markdown", "raw"
    text: str  # the source, joined
    span: Tuple[int, int]  # of the `source` value in Document.text
    items: Optional[Tuple[Tuple[str, int, int], ...]]  # list form: each line's value and JSON span; None: a string


@dataclass(frozen=True)
class Document:
    raw: bytes
    text: str  # decoded, without a BOM
    cells: Tuple[Cell, ...]
    python: bool  # a Python notebook (or one that does not say): others have no code slimlint reads
    python_major: Optional[int] = None  # the kernel's Python major version, when the metadata says

    def rewritten(self, sources: Dict[int, str], force: bool = False) -> bytes:
        """The file with these cells' sources replaced; every other byte as it was.

        `force` re-encodes the named cells even when unchanged (the round-trip tests use it)."""
        out: List[str] = []
        at = 0
        for cell in self.cells:
            new = sources.get(cell.number)
            if new is None or (new == cell.text and not force):
                continue
            start, end = cell.span
            out += [self.text[at:start], self._encode(cell, new)]
            at = end
        if not out:
            return self.raw
        out.append(self.text[at:])
        return (_BOM if self.raw.startswith(_BOM) else b"") + "".join(out).encode("utf-8")

    def _encode(self, cell: Cell, new: str) -> str:
        ascii_only = self._ensure_ascii(cell)
        if cell.items is None:
            return json.dumps(new, ensure_ascii=ascii_only)
        lines = split_lines(new)
        if not lines:
            return "[]"
        reuse: Dict[str, str] = {}
        for value, start, end in cell.items:
            reuse.setdefault(value, self.text[start:end])
        opening, separator, closing = self._list_layout(cell)
        body = separator.join(reuse.get(line) or json.dumps(line, ensure_ascii=ascii_only) for line in lines)
        return f"[{opening}{body}{closing}]"

    def _list_layout(self, cell: Cell) -> Tuple[str, str, str]:
        """(after `[`, between items, before `]`) as this list has them, else as the file's indentation implies."""
        start, end = cell.span
        items = cell.items or ()
        if items:
            opening = self.text[start + 1:items[0][1]]
            closing = self.text[items[-1][2]:end - 1]
            separator = self.text[items[0][2]:items[1][1]] if len(items) > 1 else "," + opening
            return opening, separator, closing
        if "\n" not in self.text:
            return "", ", ", ""  # compact JSON (json.dumps without indent)
        newline = "\r\n" if "\r\n" in self.text else "\n"
        line_start = self.text.rfind("\n", 0, start) + 1
        key_indent = re.match(r"[ \t]*", self.text[line_start:]).group()
        step = re.match(r"[ \t]*", self.text[self.text.index("\n") + 1:]).group() or " "
        return newline + key_indent + step, "," + newline + key_indent + step, newline + key_indent

    def _ensure_ascii(self, cell: Cell) -> bool:
        """Whether this file writes non-ASCII text as `\\uXXXX` escapes (json's ensure_ascii): the cell says,
        else the file, else no (nbformat's and Jupyter's default)."""
        for text in (self.text[cell.span[0]:cell.span[1]], self.text):
            if any(ord(c) > 127 for c in text):
                return False
            if _ESCAPED_NON_ASCII.search(text):
                return True
        return False


def split_lines(text: str) -> List[str]:
    """Lines with their `\\n` kept, as a notebook's `source` list holds them (no empty last item)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def load(raw: bytes) -> Document:
    """Read a notebook's bytes; NotebookError says why they are not an nbformat 4 notebook. An empty file is
    a notebook with no cells (as ruff reads it: tutorial repositories commit empty lesson files)."""
    if not raw.strip():
        return Document(raw=raw, text=raw.decode("utf-8", "replace"), cells=(), python=True)
    try:
        text = raw[len(_BOM):].decode("utf-8") if raw.startswith(_BOM) else raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not a notebook: byte {exc.start} is not UTF-8") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        detail = f"line {exc.lineno}, column {exc.colno}: {exc.msg}" if hasattr(exc, "lineno") else str(exc)
        raise NotebookError(f"not a notebook: invalid JSON ({detail})") from None
    except RecursionError:
        raise NotebookError("not a notebook: JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    version = data.get("nbformat")
    if version is not None and version != 4:
        raise NotebookError(f"nbformat {version} notebook: slimlint reads nbformat 4 "
                            "(convert it: jupyter nbconvert --to notebook --inplace FILE)")
    cells = data.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("not a notebook: no `cells` list")
    spans = _source_spans(text)
    if len(spans) != len(cells):
        raise NotebookError("not a notebook: cannot locate every cell's source")
    return Document(raw=raw, text=text, cells=tuple(_cell(i, c, spans[i], text) for i, c in enumerate(cells)),
                    python=_is_python(data), python_major=_python_major(data))


def _cell(i: int, cell, span, text: str) -> Cell:
    source = cell.get("source") if isinstance(cell, dict) else None
    kind = cell.get("cell_type") if isinstance(cell, dict) else None
    if not isinstance(kind, str) or span is None:
        raise NotebookError(f"not a notebook: cell {i + 1} has no `cell_type` or no `source`")
    if isinstance(source, str):
        return Cell(i + 1, kind, source, span, None)
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        items = tuple((value, s, e) for value, (s, e) in zip(source, _Scanner(text).items(span[0])))
        return Cell(i + 1, kind, "".join(source), span, items)
    raise NotebookError(f"not a notebook: cell {i + 1}'s `source` is neither text nor a list of lines")


def _is_python(data: dict) -> bool:
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(field), str):
            return value[field].lower() == "python"
    return True


def _python_major(data: dict) -> Optional[int]:
    """2 or 3 from `language_info.version` ("2.7.13") or the kernel's name ("python2"); None when unsaid."""
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return None
    info, spec = metadata.get("language_info"), metadata.get("kernelspec")
    version = info.get("version") if isinstance(info, dict) else None
    if isinstance(version, str) and version[:2] in ("2.", "3."):
        return int(version[0])
    name = spec.get("name") if isinstance(spec, dict) else None
    if isinstance(name, str) and re.fullmatch(r"python[23]", name.lower()):
        return int(name[-1])
    return None


def _source_spans(text: str) -> List[Optional[Tuple[int, int]]]:
    """For each item of the top-level `cells` list, the span of its `source` value (None when absent).

    The text is valid JSON already (json.loads said so); duplicate keys resolve as json does: the last wins."""
    scanner = _Scanner(text)
    cells_at = None
    for key, start, _ in scanner.members(scanner.skip(0)):
        if key == "cells":
            cells_at = start
    spans: List[Optional[Tuple[int, int]]] = []
    for start, _ in scanner.items(cells_at):
        found = None
        if text[start] == "{":
            for key, value_start, value_end in scanner.members(start):
                if key == "source":
                    found = (value_start, value_end)
        spans.append(found)
    return spans


class _Scanner:
    """Spans of JSON values in a valid document; jumps over strings and nested values with regexes, so a
    notebook full of base64 images costs little."""

    def __init__(self, text: str) -> None:
        self.text = text

    def skip(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in _WHITESPACE:
            i += 1
        return i

    def value_end(self, i: int) -> int:
        c = self.text[i]
        if c == '"':
            return _STRING.match(self.text, i).end()
        if c not in "[{":
            return _SCALAR.match(self.text, i).end()
        depth = 0
        while True:
            m = _STRUCTURE.search(self.text, i)
            if m.group() == '"':
                i = _STRING.match(self.text, m.start()).end()
                continue
            depth += 1 if m.group() in "[{" else -1
            i = m.end()
            if depth == 0:
                return i

    def members(self, i: int):
        """(key, value start, value end) of the object at i."""
        i = self.skip(i + 1)
        while self.text[i] != "}":
            key_end = self.value_end(i)
            key = json.loads(self.text[i:key_end])
            start = self.skip(self.skip(key_end) + 1)  # past the colon
            end = self.value_end(start)
            yield key, start, end
            i = self.skip(end)
            if self.text[i] == ",":
                i = self.skip(i + 1)

    def items(self, i: int):
        """(start, end) of each item of the array at i."""
        i = self.skip(i + 1)
        while self.text[i] != "]":
            end = self.value_end(i)
            yield i, end
            i = self.skip(end)
            if self.text[i] == ",":
                i = self.skip(i + 1)
