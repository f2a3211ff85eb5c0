"""What a rule is: metadata that documents it, examples that test it, and a thin query over the model."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import ClassVar, Iterator, Optional, Tuple

import libcst as cst

from slimlint.fixes import FixActions


@dataclass(frozen=True)
class Case:
    """An example program. For invalid cases, `fixed` is the exact text `--fix` must produce, and `line`,
    `column` and `message`, when given, are where the finding is and what it says.

    The first invalid case (and its fixed form, or the first valid case) is the rule's documented example."""

    code: str
    path: str = "train.py"
    fixed: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None
    message: Optional[str] = None

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")

    @property
    def expected(self) -> Optional[str]:
        return None if self.fixed is None else textwrap.dedent(self.fixed).lstrip("\n")


@dataclass
class Violation:
    rule: "Rule"
    node: cst.CSTNode  # where the finding is reported
    message: str
    fix: Optional[FixActions] = None
    fix_message: str = ""
    safe: bool = False  # the fix restores what the code evidently intended: --fix applies it (see Fix)
    behaviour_change: Optional[str] = None  # this finding's own note, when the rule's does not fit it


@dataclass
class RuleContext:
    model: object  # semantic.FileModel
    index: object  # summary.ProjectIndex
    settings: object  # config.Settings
    role: str  # context.file_role
    relpath: str


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line
    # Documentation, in the shape of ruff's rule pages.
    what_it_does: ClassVar[str]
    why_bad: ClassVar[str]
    fix_safety: ClassVar[str]
    # Only for a rule without cases (SL900): the others document their first invalid case.
    example: ClassVar[str] = ""
    use_instead: ClassVar[str] = ""
    behaviour_change: ClassVar[str] = ""
    valid: ClassVar[Tuple[Case, ...]] = ()
    invalid: ClassVar[Tuple[Case, ...]] = ()

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        raise NotImplementedError

    def violation(self, node, message, fix: Optional[FixActions] = None, fix_message: str = "",
                  safe: bool = False, behaviour_change: Optional[str] = None) -> Violation:
        return Violation(self, node, message, fix, fix_message, safe, behaviour_change)

    @classmethod
    def example_pair(cls) -> Tuple[str, str]:
        """(example, use instead) for the docs: the first invalid case and its fixed form (a rule without a
        fix: the first valid case), so every documented example is one the tests run."""
        if not cls.invalid:
            return textwrap.dedent(cls.example).strip("\n"), textwrap.dedent(cls.use_instead).strip("\n")
        bad = cls.invalid[0]
        good = bad.expected if bad.expected is not None else cls.valid[0].source
        return bad.source.rstrip("\n"), good.rstrip("\n")

    @classmethod
    def docs(cls, report: str = "") -> str:
        """The rule's reference page (Markdown), generated from its metadata; `report` is what slimlint
        prints on the example."""
        example, use_instead = cls.example_pair()
        parts = [
            f"# {cls.code} {cls.name}",
            "",
            cls.summary,
            "",
            "## What it does",
            "",
            textwrap.dedent(cls.what_it_does).strip(),
            "",
            "## Why is this bad?",
            "",
            textwrap.dedent(cls.why_bad).strip(),
            "",
            "## Example",
            "",
            "```python",
            example,
            "```",
            *(["", "slimlint reports:", "", "```console", report.rstrip("\n"), "```"] if report else []),
            "",
            "Use instead:",
            "",
            "```python",
            use_instead,
            "```",
            "",
            "## Fix safety",
            "",
            textwrap.dedent(cls.fix_safety).strip(),
        ]
        if cls.behaviour_change:
            parts += ["", f"Behaviour change: {cls.behaviour_change}"]
        return "\n".join(parts) + "\n"
