"""What a rule is: metadata that documents it, examples that test it, and a thin query over the model."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import ClassVar, Iterator, Optional, Tuple

import libcst as cst

from slimlint.fixes import FixActions


@dataclass(frozen=True)
class Case:
    """An example program. For invalid cases, `fixed` is the exact text `--fix` must produce."""

    code: str
    path: str = "train.py"
    fixed: Optional[str] = None

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
    example: ClassVar[str]
    use_instead: ClassVar[str]
    fix_safety: ClassVar[str]
    behaviour_change: ClassVar[str] = ""
    valid: ClassVar[Tuple[Case, ...]] = ()
    invalid: ClassVar[Tuple[Case, ...]] = ()

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        raise NotImplementedError

    def violation(self, node, message, fix: Optional[FixActions] = None, fix_message: str = "") -> Violation:
        return Violation(self, node, message, fix, fix_message)

    @classmethod
    def docs(cls) -> str:
        """The rule's reference page (Markdown), generated from its metadata."""
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
            textwrap.dedent(cls.example).strip("\n"),
            "```",
            "",
            "Use instead:",
            "",
            "```python",
            textwrap.dedent(cls.use_instead).strip("\n"),
            "```",
            "",
            "## Fix safety",
            "",
            textwrap.dedent(cls.fix_safety).strip(),
        ]
        if cls.behaviour_change:
            parts += ["", f"Behaviour change: {cls.behaviour_change}"]
        return "\n".join(parts) + "\n"
