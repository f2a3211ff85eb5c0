"""How a project's batch norm is built, surveyed file by file and combined: the input of the project-wide
judgements on moving statistics (does anything read them? which modules only ever train?).

Named records, not tuples: a survey crosses process boundaries (scheduler workers pickle it), and a field
added later must not shift the others."""

from __future__ import annotations

from typing import Dict, Iterable, List, NamedTuple, Tuple


class FileModes(NamedTuple):
    """One file's batch norm (FileModel.batch_norm_modes)."""

    kinds: set  # the modes it runs in (a parameter's mode is its callers', counted where they call)
    run_mode_eval: bool  # evaluation code builds it in training mode by design (an `if args.mode == "test":` path)
    judged_eval: bool  # evaluation code builds it in a mode SL201 judges
    network_calls: list  # (this module, the project network called, the modes this call builds it in)
    samples: bool  # draws samples from a model in a run that trains nothing
    moded: bool  # some batch norm is given a mode other than training (False, a placeholder, a run-time value)
    adversarial: bool  # two or more train ops, each over its own var_list (a GAN's D and G steps)


class ProjectModes(NamedTuple):
    """The files' surveys combined (for a worker's files, or the whole project)."""

    kinds: List[str]
    run_mode_eval: bool
    judged_eval: bool
    own: Dict[str, Tuple[List[str], bool]]  # module -> (the modes its batch norm runs in, SL201 judges one)
    network_calls: list
    samples: bool
    moded: bool
    adversarial: bool

    @classmethod
    def of_file(cls, module: str, modes: FileModes) -> "ProjectModes":
        return cls(kinds=sorted(modes.kinds), run_mode_eval=modes.run_mode_eval, judged_eval=modes.judged_eval,
                   own={module: (sorted(modes.kinds), modes.judged_eval)}, network_calls=list(modes.network_calls),
                   samples=modes.samples, moded=modes.moded, adversarial=modes.adversarial)

    @classmethod
    def combined(cls, parts: Iterable["ProjectModes"]) -> "ProjectModes":
        kinds: set = set()
        own: Dict[str, Tuple[List[str], bool]] = {}
        calls: list = []
        flags = dict.fromkeys(("run_mode_eval", "judged_eval", "samples", "moded", "adversarial"), False)
        for part in parts:
            kinds.update(part.kinds)
            own.update(part.own)
            calls.extend(part.network_calls)
            for name in flags:
                flags[name] = flags[name] or getattr(part, name)
        return cls(kinds=sorted(kinds), own=own, network_calls=calls, **flags)
