"""Stale copies: a module kept beside the one the project uses, which nothing imports.

    SfMLearner.py        # imported by train.py and main.py
    SfMLearner_0811.py   # an older copy: class SfMLearner, the same methods, imported by nothing

Findings in such a copy are about code no user runs. A module counts as a stale copy when:

- no other file of the project names it (its module name appears in no other file's text: no import, no
  `importlib.import_module("...")` string, no `-m` command in a script of the project);
- it is not a program (no `if __name__ == "__main__":`, no module code that runs something) nor a notebook
  (its cells are run by hand), and not a package's `__init__`;
- another module of the project defines a top-level class or function of the same name, and that module is
  named by some other file: the project uses the twin, not this copy.

A library module nothing in the repository imports is left alone (its users import it): only a copy shadowed by
a used twin is stale. Syntactic, over the text of every file, parsed or not.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Mapping, Set

_TOP_LEVEL_DEF = re.compile(r"^(?:class|def)\s+(\w+)", re.MULTILINE)
_MAIN_BLOCK = re.compile(r"^if\s+__name__\s*==", re.MULTILINE)
# Module code that runs something (`main()`, `sess.run(...)`, `train_op = opt.minimize(loss)`, a `with` or `for`
# block): a script run as a file, not a library module. Set-up a library module makes too (`sys.path.insert`,
# seeds, logging, flag definitions, `logger = logging.getLogger(...)`, `Point = namedtuple(...)`) does not count.
_MODULE_CALL = re.compile(r"^(?!sys\.path\.|os\.environ|warnings\.|logging\.|matplotlib\.|mpl\.|print\b)"
                          r"(?![\w.]*\.seed\()(?![\w.]*DEFINE_)[A-Za-z_][\w.]*\s*\(", re.MULTILINE)
_MODULE_ASSIGNED_CALL = re.compile(
    r"^[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*(?!logging\.|re\.compile|collections\.|namedtuple|os\.path\.|"
    r"os\.environ|[\w.]*DEFINE_|[\w.]*getLogger|TypeVar)[A-Za-z_][\w.]*\s*\(", re.MULTILINE)
_MODULE_BLOCK = re.compile(r"^(?:with|for|while|try)\b|^if\s+(?!__name__)", re.MULTILINE)
_WORD = re.compile(r"\w+")


def stale_copies(texts: Mapping[str, str], packages: FrozenSet[str] = frozenset()) -> FrozenSet[str]:
    """The module names (of `texts`: module name -> source text) that are stale copies; `packages`: the modules
    that are a package's `__init__`."""
    defs = {module: set(_TOP_LEVEL_DEF.findall(text)) for module, text in texts.items()}
    # Candidates first (cheap): modules, not programs nor packages, sharing a top-level name with another module.
    owners: Dict[str, Set[str]] = {}
    for module, names in defs.items():
        for name in names:
            owners.setdefault(name, set()).add(module)
    candidates = {module for module, names in defs.items()
                  if module not in packages and not _MAIN_BLOCK.search(texts[module])
                  and not _runs_something(texts[module])
                  and any(len(owners[name]) > 1 for name in names)}
    if not candidates:
        return frozenset()
    twins = {other for module in candidates for name in defs[module] for other in owners[name] if other != module}
    asked = candidates | twins
    last = {module: module.rsplit(".", 1)[-1] for module in asked}
    pattern = re.compile(r"\b(?:%s)\b" % "|".join(sorted({re.escape(n) for n in last.values()})))
    mentioned_in: Dict[str, Set[str]] = {}  # a module's last name -> the files that mention it
    for module, text in texts.items():
        for word in set(pattern.findall(text)):
            mentioned_in.setdefault(word, set()).add(module)
    used = {module for module in asked if mentioned_in.get(last[module], set()) - {module}}
    return frozenset(module for module in candidates if module not in used
                     and any(other in used for name in defs[module] for other in owners[name] if other != module))


def _runs_something(text: str) -> bool:
    return bool(_MODULE_CALL.search(text) or _MODULE_ASSIGNED_CALL.search(text) or _MODULE_BLOCK.search(text))
