"""How a project's batch norm is built, surveyed file by file and combined: the input of the project-wide
judgements on moving statistics (does anything read them? which modules only ever train?).

Named records, not tuples: a survey crosses process boundaries (scheduler workers pickle it), and a field
added later must not shift the others."""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, NamedTuple, Tuple

from slimlint.model.facts import TRUE


class FileModes(NamedTuple):
    """One file's batch norm (FileModel.batch_norm_modes)."""

    kinds: set  # the modes it runs in (a parameter's mode is its callers', counted where they call)
    run_mode_eval: bool  # evaluation code builds it in training mode by design (an `if args.mode == "test":` path)
    judged_eval: bool  # evaluation code builds it in a mode SL201 judges
    network_calls: list  # (this module, the project network called, the modes this call builds it in)
    samples: bool  # draws samples from a model in a run that trains nothing
    moded: bool  # some batch norm is given a mode other than training (False, a placeholder, a run-time value)
    adversarial: bool  # two or more train ops, each over its own var_list (a GAN's D and G steps)
    # code named for sampling builds batch norm of its own in a mode SL201 judges (judged only where the module
    # gives some batch norm another mode: ProjectModes.resolved); its network calls carry SAMPLING_JUDGED
    judged_sampling: bool = False


class ProjectModes(NamedTuple):
    """The files' surveys combined (for a worker's files, or the whole project)."""

    kinds: List[str]
    run_mode_eval: bool
    judged_eval: bool
    # module -> (the modes its batch norm runs in, SL201 judges one of its builds, ... one named for sampling)
    own: Dict[str, Tuple[List[str], bool, bool]]
    network_calls: list
    samples: bool
    moded: bool
    adversarial: bool
    adversarial_modules: FrozenSet[str] = frozenset()  # the files that train adversarially (FileModes.adversarial)

    @classmethod
    def of_file(cls, module: str, modes: FileModes) -> "ProjectModes":
        return cls(kinds=sorted(modes.kinds), run_mode_eval=modes.run_mode_eval, judged_eval=modes.judged_eval,
                   own={module: (sorted(modes.kinds), modes.judged_eval, modes.judged_sampling)},
                   network_calls=list(modes.network_calls), samples=modes.samples, moded=modes.moded,
                   adversarial=modes.adversarial,
                   adversarial_modules=frozenset({module}) if modes.adversarial else frozenset())

    @classmethod
    def combined(cls, parts: Iterable["ProjectModes"]) -> "ProjectModes":
        kinds: set = set()
        own: Dict[str, Tuple[List[str], bool, bool]] = {}
        calls: list = []
        flags = dict.fromkeys(("run_mode_eval", "judged_eval", "samples", "moded", "adversarial"), False)
        adversarial_modules: set = set()
        for part in parts:
            adversarial_modules |= part.adversarial_modules
            kinds.update(part.kinds)
            own.update(part.own)
            calls.extend(part.network_calls)
            for name in flags:
                flags[name] = flags[name] or getattr(part, name)
        return cls(kinds=sorted(kinds), own=own, network_calls=calls, adversarial_modules=frozenset(adversarial_modules),
                   **flags)

    def resolved(self) -> "ProjectModes":
        """The whole project's survey with its sampling builds decided. Drawing samples in training mode from
        batch norm that is never given another mode (a module whose batch norm only trains; a network no call
        builds in another mode) is the design: nothing reads those moving statistics, SL201 stays silent, and
        the build is not judged. Where the project does build it in another mode, it is. Evaluation builds of a
        network that always trains are judged unless the project trains adversarially."""
        incoming: Dict[tuple, set] = {}
        for _, callee, kinds in self.network_calls:
            incoming.setdefault(callee, set()).update(kinds)
        markers = {"judged", SAMPLING_JUDGED, ALWAYS_JUDGED}
        calls, judged = [], self.judged_eval
        for caller, callee, kinds in self.network_calls:
            if ALWAYS_JUDGED in kinds:
                # Evaluation of a network that always trains: a GAN's design, any other project's bug.
                kinds = [k for k in kinds if k != ALWAYS_JUDGED] + ([] if self.adversarial else ["judged"])
                judged = judged or not self.adversarial
            if SAMPLING_JUDGED in kinds:
                moded = bool(incoming[callee] - markers - {TRUE})
                kinds = [k for k in kinds if k != SAMPLING_JUDGED] + (["judged"] if moded else [])
                judged = judged or moded
            calls.append((caller, callee, kinds))
        own = {}
        for module, (kinds, eval_judged, sampling_judged) in self.own.items():
            module_judged = eval_judged or (sampling_judged and bool(set(kinds) - {TRUE}))
            own[module] = (kinds, module_judged, False)
            judged = judged or module_judged
        return self._replace(judged_eval=judged, own=own, network_calls=calls)


# A network call's mark for a judged evaluation build named for sampling (ProjectModes.resolved decides it).
SAMPLING_JUDGED = "judged-sampling"
# A network call's mark for an evaluation build of a network whose batch norm always trains (no mode to give):
# judged unless the project trains adversarially (ProjectModes.resolved decides it).
ALWAYS_JUDGED = "judged-always-training"
