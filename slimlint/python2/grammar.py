"""Parsing with the Python 2 grammar (fissix, the maintained fork of lib2to3).

Why fissix: it is pure Python, still released, and its grammar is the one 2to3 used, so it accepts
every Python 2.7 file (print and exec statements, backticks, `<>`, tuple parameters, `ur''`, tab
indentation as Python 2 measured it) and most Python 3 syntax too. parso dropped its 2.7 grammar in
0.8 (benchmarks/python2.py measures both).

Two grammars are tried: with print / exec statements (Python 2 proper), then without them (a
Python 2 file with `from __future__ import print_function`, or Python 3 that LibCST rejects for
another reason). The first that parses wins; when both fail, both failures are kept: the file's real
error is where the grammar that got furthest stopped (see diagnose.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from fissix import pygram, pytree
from fissix.pgen2 import driver, tokenize
from fissix.pgen2.parse import ParseError

# Name, grammar, whether `print` / `exec` are statements there.
_GRAMMARS = (
    ("python2", pygram.python_grammar, True),
    ("python2-print-function", pygram.python_grammar_no_print_statement, False),
)
_DRIVERS = {name: driver.Driver(grammar, convert=pytree.convert) for name, grammar, _ in _GRAMMARS}


@dataclass(frozen=True)
class Failure:
    """Where one grammar stopped: 1-based line, 1-based column, and why (one line)."""

    grammar: str
    line: int
    column: int
    reason: str


@dataclass(frozen=True)
class Tree:
    grammar: str
    print_statement: bool  # `print` / `exec` are statements in this grammar
    root: pytree.Base


def parse(text: str) -> Tuple[Optional[Tree], List[Failure]]:
    """The Python 2 tree of `text` (None when no grammar takes it), and the failures met on the way."""
    failures: List[Failure] = []
    if not text.endswith("\n"):
        text += "\n"  # pgen2 wants a final newline; positions are unaffected
    for name, _grammar, statements in _GRAMMARS:
        try:
            return Tree(name, statements, _DRIVERS[name].parse_string(text)), failures
        except ParseError as exc:
            _prefix, (line, column) = exc.context
            failures.append(Failure(name, line, column + 1, f"unexpected {exc.value!r}" if exc.value else "unexpected end of file"))
        except tokenize.TokenError as exc:
            message, (line, column) = exc.args
            failures.append(Failure(name, line, column + 1, str(message)))
        except IndentationError as exc:
            failures.append(Failure(name, exc.lineno or 1, (exc.offset or 0) + 1, exc.msg))
        except (SyntaxError, RecursionError) as exc:  # fissix's tokenizer also raises plain SyntaxError
            failures.append(Failure(name, getattr(exc, "lineno", None) or 1, 1, str(getattr(exc, "msg", None) or exc) or "cannot parse"))
    return None, failures


def parses(text: str) -> bool:
    """True when the Python 2 grammar (with or without print statements) accepts `text`."""
    return parse(text)[0] is not None
