"""`--add-noqa`: write `# noqa: CODE` on each reported line, so a legacy repository adopts slimlint with a clean
run and new code is checked from now on (ruff's `--add-noqa`).

A code is added to the line's existing `# noqa: ...` list, else appended as `  # noqa: CODE` at the end of the
line. A line that ends inside a multi-line string or with a backslash continuation cannot take a comment there:
it is skipped and counted. A bare `# noqa` already silences everything.
"""

from __future__ import annotations

import io
import tokenize
from typing import Dict, Iterable, Set, Tuple

from slimlint.noqa import LINE_DIRECTIVE  # the same reading of `# noqa: ...` that suppression uses



def lines_inside_strings(text: str) -> Set[int]:
    """1-based lines whose end lies inside a string token that spans lines (no comment can go there).
    None of them when the text does not tokenize (a Python 2 file): the caller then skips the file."""
    inside: Set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
            inside.update(range(tok.start[0], tok.end[0]))
    return inside


def add_noqa(text: str, codes_by_line: Dict[int, Iterable[str]]) -> Tuple[str, int, int]:
    """(new text, directives added or extended, lines skipped). Line endings and everything else are kept."""
    try:
        inside = lines_inside_strings(text)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return text, 0, len(codes_by_line)
    lines = text.splitlines(keepends=True)
    added = skipped = 0
    for number, codes in sorted(codes_by_line.items()):
        if not 0 < number <= len(lines):
            skipped += 1
            continue
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        match = LINE_DIRECTIVE.search(body)
        if match is not None and not match.group("codes"):
            continue  # a bare `# noqa` silences every code already
        if number in inside or body.rstrip().endswith("\\"):
            skipped += 1
            continue
        if match is not None:
            present = [c.strip() for c in match.group("codes").split(",")]
            wanted = present + sorted(set(codes) - {c.upper() for c in present})
            body = body[:match.start()] + "# noqa: " + ", ".join(wanted) + body[match.end():]
        else:
            body = body.rstrip() + "  # noqa: " + ", ".join(sorted(set(codes)))
        lines[number - 1] = body + ending
        added += 1
    return "".join(lines), added, skipped
