"""The engine: prefilter, parse once, build the semantic model, summarise, run every rule, fix.

A run has two stages. Stage one parses the files that may matter and builds their models; their
function summaries form the project index (iterated to a fixed point, since summaries depend on
other summaries). Stage two runs the rules over each model with that index, and applies fixes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from slimlint import fixes as fixlib
from slimlint import nesting_budget, noqa, prefilter, python2
from slimlint.model.checkpoints import trainable_only_checkpoints
from slimlint.big_stack import on_big_stack
from slimlint.findings import SAFE, UNSAFE, Edit, Finding, Fix, Position
from slimlint.model import context
from slimlint.model.dropout import config_fraction_names
from slimlint.model.project_text import ProjectText
from slimlint.model.facts import FALSE, TRUE, UNKNOWN
from slimlint.model.mode_survey import ProjectModes
from slimlint.model.reexports import module_reexports
from slimlint.model.semantic import FileModel
from slimlint.model.star_aliases import attach_star_aliases
from slimlint.model.summary import ProjectIndex, callee_table, reachable, same_program
from slimlint.codes import CODES
from slimlint.rules import ALL_RULES, SYNTAX_ERROR, UNUSED_NOQA
from slimlint.rules.base import RuleContext, Violation
from slimlint.file_units import Outcome, Unit
from slimlint.source import describe_parse_error

_MAX_FIX_PASSES = 8


@dataclass(frozen=True)
class ParsedFile:
    """What stage one learnt about a unit: its tree and semantic model, or why it has none (an SL900 finding)."""

    unit: Unit
    module: Optional[cst.Module] = None
    model: Optional[FileModel] = None
    view: Optional[object] = None  # python2.View: a Python 2 file, checked through its Python 3 view
    syntax: Optional[Finding] = None


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


class Engine:
    def __init__(self, settings, rules: Optional[Sequence[type]] = None, use_prefilter: bool = True) -> None:
        self.settings = settings
        self.rules = [r() for r in (rules or ALL_RULES)]
        self.use_prefilter = use_prefilter
        self._candidates: Dict[int, bool] = {}  # unit key -> the prefilter's verdict, computed once

    # --- stage one ----------------------------------------------------------------------------

    def parse(self, unit: Unit) -> ParsedFile:
        if unit.source is None:
            return ParsedFile(unit)
        if unit.source.unreadable is not None:
            return self._unreadable(unit)
        deep = nesting_budget.too_deep(unit.source.text)
        if deep is not None:
            return ParsedFile(unit, syntax=self._syntax_finding(
                unit, deep[0], 1, f"an expression here is nested more than {nesting_budget.MAX_DEPTH} levels deep: "
                "too deep to analyse in reasonable time"))
        view = None
        text = unit.source.text  # the module's code, as TfNaming reads it (line ends apart)
        try:
            module = on_big_stack(cst.parse_module, unit.source.for_libcst())
        except cst.ParserSyntaxError as exc:
            # Python 2 code: read through its Python 3 view (slimlint/python2); SL900 only when neither grammar takes it.
            # Not a notebook's program: a cell that does not parse is left out of it already (notebook/program.py).
            module, view, problem = (None, None, describe_parse_error(unit.source, exc)) if unit.source.notebook \
                else on_big_stack(python2.read, unit.source, exc)
            if module is None:
                return ParsedFile(unit, syntax=self._syntax_finding(unit, problem.line, problem.column, problem.message))
            text = None  # the Python 3 view's text is the module's own
        except (RecursionError, MemoryError):
            return ParsedFile(unit, syntax=self._syntax_finding(unit, 1, 1, "cannot parse: nested too deeply"))
        try:
            return ParsedFile(unit, module, on_big_stack(FileModel, module, unit.module_name, unit.star_aliases, text), view)
        except (RecursionError, MemoryError):
            return ParsedFile(unit, module, None, view, self._syntax_finding(
                unit, 1, 1, "parsed, but nested too deeply for slimlint to analyse"))

    def _unreadable(self, unit: Unit) -> ParsedFile:
        """A file Python itself cannot read (its coding cookie names a codec a package registers at run time):
        SL900, and no rule checks it; its text read as UTF-8 still gives the project index its facts (a helper
        that returns UPDATE_OPS), or its importers would be judged without them."""
        syntax = self._syntax_finding(unit, 1, 1, unit.source.unreadable)
        if nesting_budget.too_deep(unit.source.text) is not None:
            return ParsedFile(unit, syntax=syntax)
        try:
            module = on_big_stack(cst.parse_module, unit.source.text)
            return ParsedFile(unit, module, on_big_stack(FileModel, module, unit.module_name, unit.star_aliases),
                              syntax=syntax)
        except (cst.ParserSyntaxError, RecursionError, MemoryError):
            return ParsedFile(unit, syntax=syntax)

    def _syntax_finding(self, unit: Unit, line: int, column: int, message: str) -> Finding:
        return Finding(
            code=SYNTAX_ERROR.code,
            name=SYNTAX_ERROR.name,
            message=message,
            path=unit.display,
            start=Position(line, max(column, 1)),
            end=Position(line, max(column, 1)),
            noqa_row=line,
        )

    def wants(self, unit: Unit) -> bool:
        """Stage one's first pick: files whose text may hold a finding (see prefilter.py).

        Unit tests (named `*_test.py` and written with a test framework) are never reported, so they
        are read only when another file turns out to call into them (see analyse).
        """
        wanted = self._candidates.get(unit.key)
        if wanted is None:
            if unit.source is None or noqa.file_exempt(unit.source.text):
                wanted = False
            elif not self.use_prefilter:
                wanted = True
            else:
                text = unit.source.text
                wanted = not context.skipped_as_unit_test(unit.relpath, text) and (
                    prefilter.may_matter(text)
                    # evaluation restoring a training run's graph (SL201); not a library's loading helper
                    or "import_meta_graph(" in text and context.evaluation_module(unit.module_name))
            self._candidates[unit.key] = wanted
        return wanted

    def analyse(self, units: Sequence[Unit], backend=None) -> ProjectIndex:
        """Parse what may matter and build the project index (stage one).

        `backend` holds the parsed models: in this process (LocalBackend) or in worker processes.
        """
        backend = backend or LocalBackend(self)
        units = attach_star_aliases(units)  # before any model is built: they bind names in it
        backend.parse([u for u in units if self.wants(u)])
        text = ProjectText(units)  # what the files' text says, parsed or not: read once
        index = None
        while True:
            index, wanted_modules = self._index(units, backend, text, index.modules if index is not None else {})
            pattern = prefilter.names_pattern(index.bn_function_names())
            # `getattr(ops, conf.conv_type)(...)`: a function of a module that builds batch norm, picked by name
            dispatch = prefilter.getattr_pattern(index.bn_module_names())
            more = [
                u for u in units
                if u.key not in backend.parsed_keys and u.source is not None and not noqa.file_exempt(u.source.text)
                and (u.module_name in wanted_modules or (
                    not (self.use_prefilter and context.skipped_as_unit_test(u.relpath, u.source.text))
                    and any(p is not None and p.search(u.source.text) for p in (pattern, dispatch))))
            ]
            if not more:
                return index
            backend.parse(more)

    def _index(self, units: Sequence[Unit], backend, text: ProjectText, start: Dict[str, dict]):
        """The project index, and the unparsed modules that files with batch norm call into. `start`: the
        summaries of the last round, before more files were parsed; iterating from them instead of from nothing
        reaches the fixed point in fewer rounds (each round recomputes every summary from the index alone)."""
        unparsed = [u.module_name for u in units if u.key not in backend.parsed_keys and u.source is not None]
        classes = backend.class_constants()
        reexports = backend.reexports()
        keys = backend.keys_written()
        # Syntactic, so known before any summary: a method nothing names is never called (summaries skip it).
        # Unparsed files count too, by their identifiers: a script without batch norm may call the method.
        referenced = frozenset(backend.referenced_names()) | frozenset(
            word for u in units if u.source is not None and u.key not in backend.parsed_keys
            for word in _IDENTIFIER.findall(u.source.text))
        configs = text.config_constants(backend.config_fraction_names())

        def project_index(modules):
            index = ProjectIndex(modules, unparsed=unparsed, classes=classes, reexports=reexports, keys_written=keys,
                                 arg_scopes=text.arg_scopes)
            index.referenced_names = referenced
            text.bind(index, configs)
            return index

        index = project_index(start)
        for _ in range(6):  # summaries depend on summaries: iterate to a fixed point
            modules = backend.summaries(index)
            if modules == index.modules:
                break
            index = project_index(modules)
        called_after_bn, unresolved, training_callees, edges, under_deps, scoped = backend.cross_facts(index)
        index.scoped_bn_mode = _scoped_modes([(caller, callee, kind) for caller, callee, kind, _ in scoped], UNKNOWN)
        index.scoped_normaliser = _scoped_modes([(caller, callee, norm) for caller, callee, _, norm in scoped], False)
        index.bn_mode_scoped = any(kind is not None for _, _, kind, _ in scoped)
        mode_kinds = backend.mode_kinds(index)  # after the scoped modes: a caller's arg_scope sets them
        index.called_after_bn = frozenset(called_after_bn)
        index.call_edges = frozenset(e[:2] for e in edges)
        index.training_callees = index.reached_from([callee for callee, _, _ in training_callees])
        index.trained_graph_callees = _reachable([callee for callee, before_op, _ in training_callees if before_op],
                                                 [e[:2] for e in edges if e[2]])
        index.train_op_callees = index.reached_from([callee for callee, _, trains in training_callees if trains])
        unwired = {callee for callee, wired in under_deps if not wired}
        index.trained_under_update_deps = frozenset(callee for callee, wired in under_deps if wired) - unwired
        # Batch norm that runs in training mode everywhere, the script's own test / export path included
        # (image-to-image GANs, by design), never reads its moving statistics: un-run updates change no
        # output. Evaluation code that SL201 flags is a bug, not a design: its fix reads them.
        modes = ProjectModes.combined(mode_kinds).resolved()
        # So does a GAN whose batch norm is never given any mode but training (the library's default or a
        # written True; samples previewed in the training run).
        unmoded_gan = not modes.moded and modes.adversarial
        index.adversarial = modes.adversarial
        index.adversarial_modules = modes.adversarial_modules
        index.batch_norm_always_trains = TRUE in modes.kinds and not modes.moded and not modes.adversarial
        # And so does one whose batch norm no code gives a mode (no parameter, no placeholder: MAML's transductive
        # batch norm) and whose checkpoints hold trainable variables only: no build reads the statistics, and none
        # is saved for a later one to (checkpoints.py). A network with a mode parameter may be evaluated with it
        # False by code not in view, and an evaluation build SL201 judges would read them once fixed: there the
        # Saver's loss is SL205's finding.
        modeless = not any(summary.mode_params for functions in index.modules.values() for summary in functions.values())
        unsaved = set(modes.kinds) == {TRUE} and modeless and not modes.judged_eval and trainable_only_checkpoints(text.texts)
        index.moving_statistics_read = not (set(modes.kinds) == {TRUE} and (modes.run_mode_eval or unmoded_gan)
                                            and not modes.judged_eval or unsaved)
        own, incoming, callees = _network_modes(modes)
        index.network_call_modes = {callee: frozenset(kinds) for callee, kinds in incoming.items()}
        index.inference_build_modules = frozenset(m for m, (found, *_) in own.items() if FALSE in found)
        index.samples_drawn = modes.samples
        index.moded_modules = frozenset(m for m, (found, *_) in own.items() if set(found) - {TRUE})
        if index.samples_drawn:
            index.unread_statistics_modules = _unread_statistics_modules(own, modes.network_calls, callees)
        wanted = {index.unparsed_module_of(t) for t in unresolved} - {None}
        # Base classes of classes that pass `normalizer_params=self.<name>`: a constructor there may bind that
        # dict, in text the prefilter cannot see as batch norm (only those: tf_keras's layers would cost 12%).
        wanted |= {index.unparsed_module_of(base) for base in backend.instance_param_bases()} - {None}
        return index, wanted

    def cross_facts(self, files: Sequence[ParsedFile], index: ProjectIndex):
        """Facts that need the whole project's summaries: who calls what after building batch norm."""
        called_after_bn: list = []
        unresolved: list = []
        training_callees: list = []
        edges: list = []
        under_deps: list = []
        scoped: list = []
        for f in files:
            if f.model is None:
                continue
            called_after_bn.extend(f.model.calls_after_training_bn(index, unresolved))
            training_callees.extend(f.model.training_callees(index, self.role(f.unit, f.model) == context.TRAIN))
            edges.extend(f.model.call_edges(index))
            under_deps.extend(f.model.calls_under_update_deps(index))
            scoped.extend(f.model.calls_with_bn_scope(index))
        return called_after_bn, unresolved, training_callees, edges, under_deps, scoped

    def mode_kinds(self, files: Sequence[ParsedFile], index: ProjectIndex) -> List[ProjectModes]:
        """These files' batch-norm modes (FileModel.batch_norm_modes), combined; unit tests left out."""
        parts = [ProjectModes.of_file(f.model.module_name, f.model.batch_norm_modes(index, role))
                 for f in files if f.model is not None
                 for role in [self.role(f.unit, f.model)] if role != context.UNIT_TEST]
        return [ProjectModes.combined(parts)]

    # --- stage two ----------------------------------------------------------------------------

    def role(self, unit: Unit, model: FileModel) -> str:
        where = unit.path or unit.relpath
        return context.file_role(unit.code_relpath, model, self.settings.is_eval_path(where), self.settings.is_train_path(where))

    def violations(self, unit: Unit, model: FileModel, index: ProjectIndex) -> List[Violation]:
        return self._live_and_dead(unit, model, index)[0]

    def _live_and_dead(self, unit: Unit, model: FileModel, index: ProjectIndex) -> Tuple[List[Violation], List[Violation]]:
        """(the violations, those dropped because no user runs their code: a function nothing calls, a stale
        copy of a module)."""
        role = self.role(unit, model)
        if role == context.UNIT_TEST:
            return [], []  # unit tests pass odd arguments on purpose (learning_test's update_ops=[]): never report them
        model.bind_project_facts(index)  # a fixed file's model was made after the index
        ctx = RuleContext(model=model, index=index, settings=self.settings, role=role, relpath=unit.relpath)
        out = []
        for rule in self.rules:
            if not self._enabled(rule.code, unit):
                continue
            out.extend(rule.check(ctx))
        if out and model.module_name in index.stale_modules:
            return [], out  # a copy nothing imports beside the module the project uses (stale_copies.py)
        # (not in a notebook: its functions are called from cells, magics and by hand)
        dead = model.dead_lines(index) if out and (unit.source is None or unit.source.notebook is None) else []
        if not dead:
            return out, []
        # a function nothing in the project calls: what it would build is never built
        gone = [v for v in out if any(a <= model.position(v.node).start.line <= b for a, b in dead)]
        return [v for v in out if v not in gone], gone

    def _enabled(self, code: str, unit: Unit) -> bool:
        return self.settings.is_enabled_for(code, unit.path or unit.relpath)

    def _kept(self, unit: Unit, model: FileModel, violations: Iterable[Violation], noqa_map: noqa.NoqaMap,
              dead: Iterable[Violation] = ()) -> List[Tuple[Violation, Position, Position]]:
        for v in dead:
            # Not reported (its function is never called), but a `# noqa` written for it is not unused (SL901):
            # the finding comes back once something calls the function.
            noqa_map.suppressed(model.position(v.node).start.line, v.rule.code)
        kept = []
        seen = set()
        for v in violations:
            pos = model.position(v.node)
            start = Position(pos.start.line, pos.start.column + 1)
            end = Position(pos.end.line, pos.end.column + 1)
            key = (v.rule.code, start, v.message)
            if noqa_map.suppressed(start.line, v.rule.code) or key in seen:
                continue  # one finding per code, place and message (two train ops sharing one unused read)
            seen.add(key)
            kept.append((v, start, end))
        kept.sort(key=lambda k: (k[1], k[0].rule.code))
        return kept

    def check(self, parsed: ParsedFile, index: ProjectIndex, fix: bool = False, need_edits: bool = False) -> Outcome:
        outcome = self._check(parsed, index, fix, need_edits)
        unit = parsed.unit
        if unit.source is not None and unit.source.notebook is not None and not unit.context:
            from slimlint import notebook  # findings into cells, the fixed program back into the cells' JSON

            enabled = self._enabled(SYNTAX_ERROR.code, unit)
            notebook.place(outcome, unit, (SYNTAX_ERROR.code, SYNTAX_ERROR.name) if enabled else None)
        return outcome

    def _check(self, parsed: ParsedFile, index: ProjectIndex, fix: bool, need_edits: bool) -> Outcome:
        unit = parsed.unit
        outcome = Outcome()
        if unit.context:
            return outcome
        if unit.error is not None:
            outcome.error = unit.error
            return outcome
        syntax = parsed.syntax
        if syntax is not None:
            if self._enabled(syntax.code, unit) and not noqa.NoqaMap(unit.source.text).suppressed(syntax.start.line, syntax.code):
                outcome.findings.append(syntax)
            return outcome
        if parsed.model is None:
            return outcome
        module, model, view = parsed.module, parsed.model, parsed.view
        if fix:
            module, model, view, applied, error = self._fix(parsed, index)
            outcome.fixes_applied = applied
            outcome.error = error
            if applied:
                outcome.fixed = (module.bytes.replace(b"\n", b"\r") if unit.source.old_mac else module.bytes) \
                    if view is None else unit.source.encode(view.original)
                # What the report shows if the fixed file cannot be written (read-only, changed meanwhile).
                outcome.unfixed_findings = [
                    self._finding(unit, parsed.view, parsed.module, v, start, end, need_edits)
                    for v, start, end in self._kept(unit, parsed.model, self.violations(unit, parsed.model, index),
                                                    noqa.NoqaMap(unit.source.text))]
        # Regenerating the code costs a tree walk: only a fixed module needs it.
        text = module.code if outcome.fixed is not None else unit.source.text
        noqa_map = noqa.NoqaMap(text)
        live, dead = self._live_and_dead(unit, model, index)
        kept = self._kept(unit, model, live, noqa_map, dead)
        for v, start, end in kept:
            outcome.findings.append(self._finding(unit, view, module, v, start, end, need_edits))
        outcome.findings.extend(self._unused_noqa(unit, view, noqa_map))
        return outcome

    def _unused_noqa(self, unit: Unit, view, noqa_map: noqa.NoqaMap) -> List[Finding]:
        """SL901: `# noqa: SL...` comments that silenced nothing in this run (ruff's RUF100)."""
        if not self._enabled(UNUSED_NOQA.code, unit):
            return []
        out = []
        for line, column, codes in noqa_map.unused(lambda c: any(self._enabled(k, unit) for k in CODES if k.startswith(c))):
            start = Position(line, column)
            if view is not None:
                start = view.original_position(start)
            out.append(Finding(code=UNUSED_NOQA.code, name=UNUSED_NOQA.name, path=unit.display, start=start, end=start,
                               message=f"Unused `noqa` code{'s' if len(codes) > 1 else ''} {', '.join(codes)}: "
                                       "nothing here is reported with it", noqa_row=start.line))
        return out

    def _finding(self, unit: Unit, view, module: cst.Module, v: Violation, start: Position, end: Position,
                 need_edits: bool) -> Finding:
        """A violation as reported; `view` (a Python 2 file's) maps positions and fixes back to its own text."""
        fix = None
        message = v.message
        if view is not None:
            start, end = view.original_position(start), view.original_position(end)
        if v.fix is not None:
            edits: Tuple[Edit, ...] = ()
            if view is not None:
                mapped = python2.map_fix(view, fixlib.apply(module, [v.fix]).code)
                if mapped.view is None:
                    message = f"{message} (no fix offered: {mapped.reason})"
                elif need_edits:
                    edits = _edits(view.original, mapped.view.original)
            elif need_edits:
                edits = _edits(module.code, fixlib.apply(module, [v.fix]).code)
            if view is None or mapped.view is not None:
                fix = Fix(message=v.fix_message, behaviour_change=v.behaviour_change or v.rule.behaviour_change, edits=edits,
                          applicability=SAFE if v.safe else UNSAFE)
        return Finding(
            code=v.rule.code,
            name=v.rule.name,
            message=message,
            path=unit.display,
            start=start,
            end=end,
            fix=fix,
            noqa_row=start.line,
        )

    def _fix(self, parsed: ParsedFile, index: ProjectIndex):
        """Apply fixes until none is left (each pass re-parses and re-checks). Never returns unparsable code.

        Returns (module, model, view, fixes applied, error). A Python 2 file is fixed through its view:
        only fixes that map back to its own syntax are applied (python2.map_fix), and the view follows
        each pass, so the returned view's .original is the fixed file.
        """
        unit = parsed.unit
        module, model, view = parsed.module, parsed.model, parsed.view
        problem = unit.source.roundtrip_problem(module) if unit.source is not None and view is None else None
        if problem is not None:
            return module, model, view, 0, f"not fixed: {problem}, so a fix would also change bytes nobody asked to change"
        applied = 0
        previous: set = set()
        for _ in range(_MAX_FIX_PASSES):
            kept = self._kept(unit, model, self.violations(unit, model, index), noqa.NoqaMap(module.code))
            fixable = [(v, s) for v, s, _ in kept if v.fix is not None and (v.safe or self.settings.unsafe_fixes)
                       and (view is None or python2.map_fix(view, fixlib.apply(module, [v.fix]).code).view is not None)]
            if not fixable:
                break
            signature = {(v.rule.code, s) for v, s in fixable}
            if signature == previous:
                break  # a fix that does not remove its own finding: stop rather than loop
            previous = signature
            new = fixlib.apply(module, [v.fix for v, _ in fixable])
            next_view = view
            if view is not None:
                mapped = python2.map_fix(view, new.code)
                if mapped.view is None:
                    return module, model, view, applied, f"not fixed: {mapped.reason}"
                next_view = mapped.view
            try:
                reparsed = on_big_stack(cst.parse_module, new.bytes)
            except cst.ParserSyntaxError as exc:
                return module, model, view, applied, f"a fix produced code that does not parse ({exc.message.splitlines()[0]}); left unfixed"
            if reparsed.code == module.code:
                break
            module, view = reparsed, next_view
            model = on_big_stack(FileModel, module, unit.module_name, unit.star_aliases)
            applied += len(fixable)
        return module, model, view, applied, None


def _network_modes(modes: ProjectModes) -> Tuple[Dict[str, tuple], Dict[tuple, set], Dict[str, set]]:
    """Per module, the modes its batch norm runs in and whether SL201 judges one of its builds; per network
    (module, qualname), the modes of its calls anywhere in the project; per module, the modules it calls
    networks of."""
    incoming: Dict[tuple, set] = {}
    callees: Dict[str, set] = {}
    for caller, callee, kinds in modes.network_calls:
        callees.setdefault(caller, set()).add(callee)
        incoming.setdefault(callee, set()).update(kinds)
    return modes.own, incoming, callees


def _unread_statistics_modules(own: Dict[str, tuple], network_calls: list, callees: Dict[str, set]) -> frozenset:
    """Modules whose batch norm only ever trains, in a project that draws samples in a run that trains nothing
    (GANs that sample in training mode): every build in the module is in training mode, and so is every
    call of the networks it builds or defines, from any module of its own program (its folder, the folders
    above and below it; a sibling folder's model is another program that may share layer helpers). Nothing
    reads their moving statistics, so the update ops its train ops leave out would change no output."""
    unread = set()
    for module, (kinds, judged, _) in own.items():
        if set(kinds) != {TRUE} or judged:
            continue  # SL201 flags an evaluation build here: its fix makes that batch norm read the statistics
        # Every module its networks reach, however deep (a wrapper in another module may also build them in
        # inference mode for an export script).
        reached_modules, todo = {module}, [module]
        while todo:
            for callee in callees.get(todo.pop(), ()):
                if callee[0] not in reached_modules:
                    reached_modules.add(callee[0])
                    todo.append(callee[0])
        if all(set(kinds_in) <= {TRUE} for caller, callee, kinds_in in network_calls
               if callee[0] in reached_modules and same_program(caller, module)):
            unread.add(module)
    return frozenset(unread)


def _scoped_modes(calls, mixed) -> Dict[tuple, object]:
    """The is_training that an enclosing `arg_scope([slim.batch_norm], is_training=...)` gives every call of a
    function (or the normaliser one gives its convolutions; `mixed` when the calls disagree): arg_scope is
    dynamic, so it reaches layers built anywhere below the call. A function gets a value when all its calls in
    the project are made under such a scope, or from functions that have one."""
    by_callee: Dict[tuple, list] = {}
    for caller, callee, kind in calls:
        by_callee.setdefault(callee, []).append((caller, kind))
    modes: Dict[tuple, str] = {}
    for _ in range(8):  # callers of callers: iterate to a fixed point
        changed = False
        for callee, sites in by_callee.items():
            kinds = [kind if kind is not None else modes.get(caller) for caller, kind in sites]
            if callee in modes or any(k is None for k in kinds):
                continue
            modes[callee] = kinds[0] if len(set(kinds)) == 1 else mixed
            changed = True
        if not changed:
            break
    return modes


def _reachable(roots, edges) -> frozenset:
    """Everything the roots call, directly or not (training code's callees are training code)."""
    return reachable(roots, callee_table(edges))


class LocalBackend:
    """Parsed files kept in this process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.files: List[ParsedFile] = []
        self.parsed_keys: set = set()

    def parse(self, units: Sequence[Unit]) -> None:
        for unit in units:
            self.files.append(self.engine.parse(unit))
            self.parsed_keys.add(unit.key)

    def summaries(self, index: ProjectIndex) -> Dict[str, dict]:
        return {f.model.module_name: f.model.summaries(index) for f in self.files if f.model is not None}

    def cross_facts(self, index: ProjectIndex):
        return self.engine.cross_facts(self.files, index)

    def mode_kinds(self, index: ProjectIndex) -> list:
        return self.engine.mode_kinds(self.files, index)

    def class_constants(self) -> Dict[str, dict]:
        return {f.model.module_name: f.model.class_constants() for f in self.files if f.model is not None}

    def reexports(self) -> Dict[str, Dict[str, str]]:
        return {f.model.module_name: module_reexports(f.model, f.unit.code_relpath.replace("\\", "/").endswith("__init__.py"))
                for f in self.files if f.model is not None}

    def referenced_names(self) -> Set[str]:
        return {name for f in self.files if f.model is not None for name in f.model.referenced_names()}

    def config_fraction_names(self) -> Set[str]:
        return {name for f in self.files if f.model is not None for name in config_fraction_names(f.model)}

    def keys_written(self) -> Dict[str, Set[Tuple[str, tuple]]]:
        out: Dict[str, Set[Tuple[str, tuple]]] = {}
        for f in self.files:
            if f.model is not None:
                for key, callees in f.model.builder.keys_written.items():
                    out.setdefault(key, set()).update((f.model.module_name, record) for record in callees)
        return out

    def instance_param_bases(self) -> List[str]:
        return [base for f in self.files if f.model is not None for base in f.model.instance_param_bases()]

    def check(self, index: ProjectIndex, fix: bool, need_edits: bool) -> Dict[str, Outcome]:
        # On a big stack too: positions, rules and fixes walk the tree as deep as it nests.
        return {f.unit.key: on_big_stack(self.engine.check, f, index, fix, need_edits) for f in self.files}


def _edits(old: str, new: str) -> Tuple[Edit, ...]:
    """The change between two texts as one edit spanning every changed line (what JSON / SARIF show)."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return ()
    i1, j1 = ops[0][1], ops[0][3]
    i2, j2 = ops[-1][2], ops[-1][4]
    return (Edit(content="".join(b[j1:j2]), start=Position(i1 + 1, 1), end=Position(i2 + 1, 1)),)
