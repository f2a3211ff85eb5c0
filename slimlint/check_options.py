"""What `slimlint check` was asked to do: its command-line options as one immutable value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

JSON_LIKE_FORMATS = ("json", "sarif")  # formats that carry each fix's edits


def codes(value: Optional[str]) -> Optional[List[str]]:
    """`--select SL101,SL2` as a list (None when the option was not given)."""
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


@dataclass(frozen=True)
class CheckOptions:
    fix: bool = False
    diff: bool = False
    output_format: str = "text"
    statistics: bool = False
    exit_zero: bool = False
    exit_non_zero_on_fix: bool = False
    stdin_filename: Optional[str] = None
    config_path: Optional[Path] = None
    select: Optional[str] = None
    extend_select: Optional[str] = None
    ignore: Optional[str] = None
    train_op_fix: Optional[str] = None
    unsafe_fixes: Optional[bool] = None  # None: as configured
    show_fixes: bool = False
    add_noqa: bool = False
    no_cache: bool = False
    cache_dir: Optional[Path] = None
    jobs: Optional[int] = None
    use_prefilter: bool = True

    @property
    def computes_fixes(self) -> bool:
        return self.fix or self.diff

    @property
    def needs_edits(self) -> bool:
        return self.output_format in JSON_LIKE_FORMATS

    def config_overrides(self) -> dict:
        """The options that override [tool.slimlint] keys, under the keys' names."""
        return {"select": codes(self.select), "extend-select": codes(self.extend_select),
                "ignore": codes(self.ignore), "train-op-fix": self.train_op_fix, "unsafe-fixes": self.unsafe_fixes}
