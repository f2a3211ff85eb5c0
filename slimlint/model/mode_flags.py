"""Run-time mode flags: boolean placeholders fed True / False, an object's `self.is_training`
placeholder, and flags that are fed but never reach the network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import libcst as cst
import libcst.matchers as m

from slimlint.model.context import words
from slimlint.model.facts import MODE_PARAM_NAMES, PARAM, TRUE, FunctionInfo
from slimlint.model.summary import ProjectIndex


@dataclass
class UnreadObjectFlag:
    """A class's boolean placeholder that its feed helper fills and a caller sets False, while the class builds
    its batch norm with a Python value instead (`self.build(is_train=is_train)`)."""

    flag: str  # "self.is_training"
    fed_by: str  # how False reaches it: "get_feed_dict(is_training=False)", or "a feed"
    build: cst.Call  # the class's network call whose mode is not the placeholder
    mode: str  # what that call gives as the mode: "`is_train=is_train`", "its default `is_training=True`"


# Words naming a mode switch, and those of a switch that is True for evaluation (its value is the mode's negation).
_MODE_WORDS = {"train", "training", "mode", "phase"}
_INVERTED_WORDS = {"eval", "evaluation", "test", "testing", "inference", "infer", "predict"}


class ModeFlags:
    """Part of FileModel (semantic.py): uses its builder, functions and module_func."""

    def is_bool_placeholder(self, value: cst.BaseExpression) -> bool:
        """`tf.placeholder(tf.bool, ...)` (dtype given by position or keyword) or `tf.placeholder_with_default(...)`."""
        if not isinstance(value, cst.Call):
            return False
        api_name = self.builder.canonical(value.func)
        if api_name == "tf.placeholder_with_default":
            return True
        if api_name != "tf.placeholder":
            return False
        dtype = next((a.value for a in value.args if a.keyword is not None and a.keyword.value == "dtype"), None)
        if dtype is None and value.args and value.args[0].keyword is None:
            dtype = value.args[0].value
        return dtype is not None and self.builder.canonical(dtype) == "tf.bool"

    def mode_placeholders(self, func: FunctionInfo) -> List[str]:
        """Names bound (once) to a boolean placeholder in `func` or at module level: a run-time mode flag."""
        out = []
        for scope in (func, self.module_func):
            for name, values in scope.assignments.items():
                if len(values) == 1 and "." not in name and self.is_bool_placeholder(values[0][0]):
                    out.append(name)
        return out

    def mode_attribute(self, func: FunctionInfo, before: int) -> Optional[str]:
        """`self.is_training = tf.placeholder(tf.bool)` made in `func` before `before`: the object's mode flag."""
        for name, values in func.assignments.items():
            if name.startswith("self.") and "train" in name.lower() and any(
                    order < before and self.is_bool_placeholder(value) for value, order in values):
                return name
        return None

    def fed_mode_placeholder(self, func: FunctionInfo, before: int) -> Optional[str]:
        """A boolean placeholder named for the mode (`mode_placeholder`, `is_training`, `phase`; not `is_eval`)
        that `func` makes (a plain name, bound once) before `before` and that something feeds: a run of this
        file, or the caller it is returned to (`return net, mode_placeholder`); one with a True / False default
        (`tf.placeholder_with_default(False, [])`) needs no feed. The graph's own mode switch."""
        for name, values in func.assignments.items():
            if "." in name or len(values) != 1 or not (words(name) & _MODE_WORDS) or words(name) & _INVERTED_WORDS:
                continue
            value, order = values[0]
            if order >= before or not self.is_bool_placeholder(value):
                continue
            if self.builder.canonical(value.func) == "tf.placeholder_with_default":
                first = value.args[0].value if value.args else None
                if isinstance(first, cst.Name) and first.value in ("True", "False"):
                    return name
                continue  # `placeholder_with_default(1.0, ())`: a keep fraction, not a mode
            if name in self.builder.bool_fed or name in func.returned_names:
                return name
        return None

    def flag_trains_when_passed(self, func: FunctionInfo, name: str) -> bool:
        """Passing mode flag `name` keeps training as it is: some feed gives it True, or its default is True
        (`tf.placeholder_with_default(True, [])`), so the network still trains where it trained before."""
        if "True" in self.builder.bool_fed.get(name, ()):
            return True
        for scope in (func, self.module_func):
            for value, _ in scope.assignments.get(name, ()):
                if (isinstance(value, cst.Call) and self.builder.canonical(value.func) == "tf.placeholder_with_default"
                        and value.args and isinstance(value.args[0].value, cst.Name) and value.args[0].value.value == "True"):
                    return True
        return False

    def unpassed_mode_flags(self, func: FunctionInfo, index: ProjectIndex) -> List[str]:
        """Boolean mode placeholders fed False somewhere, that no network call in `func` receives. One only ever fed
        True switches nothing to inference: the network's training-mode default does what the feeds say."""
        flags = [p for p in self.mode_placeholders(func) if "False" in self.builder.bool_fed.get(p, ())]
        if not flags:
            return []
        passed = {m.expr.value for c in self.bn_calls(func, index) for m in c.modes.values() if isinstance(m.expr, cst.Name)}
        passed |= {s.mode.expr.value for s in self.bn_sites(func, index) if isinstance(s.mode.expr, cst.Name)}
        return [] if passed & set(flags) else flags


    def unread_object_flags(self, index: ProjectIndex) -> List[UnreadObjectFlag]:
        """Classes that keep a boolean mode placeholder on `self`, feed it False (a feed of this file, or a feed
        helper method `fd[self.is_training] = is_training` that some call in the project gives False), and read
        it nowhere else: their batch norm takes a Python value as its mode, fixed when the graph is built, so
        the False switches nothing."""
        out = []
        for _, methods, flag, fed_by in self._unread_flags(index):
            build = self._python_moded_build(methods, index, flag)
            if build is not None:
                out.append(UnreadObjectFlag(flag, fed_by, build[0], build[1]))
        return out

    def unread_flag_dropouts(self, index: ProjectIndex, sites) -> List[Tuple[UnreadObjectFlag, object]]:
        """The dropout of a class with such an unread placeholder that takes its mode from a Python parameter or
        a written True (`slim.dropout(net, 0.5, is_training=is_train)` in the graph `build(is_train)` makes), with
        the flag: it drops in the runs that feed the placeholder False. `sites`: dropout.dropout_sites."""
        out = []
        for class_name, _, flag, fed_by in self._unread_flags(index):
            for site in sites:
                if not site.func.qualname.startswith(class_name + ".") or site.guarded or site.fed_fraction:
                    continue  # (a placeholder keep fraction: its feeds decide, judged at the runs)
                mode, keyword = site.mode, site.mode.keyword or "is_training"
                if mode.kind == PARAM and isinstance(mode.expr, cst.Name):
                    if self._python_flag_given_false(site.func, mode.expr.value, index):
                        continue  # `Model(is_train=False)` for the evaluation object: its dropout does not drop
                    out.append((UnreadObjectFlag(flag, fed_by, site.call, f"`{keyword}={mode.expr.value}`"), site))
                elif mode.kind == TRUE and mode.expr is not None and isinstance(mode.expr, cst.Name) and mode.expr.value == "True":
                    out.append((UnreadObjectFlag(flag, fed_by, site.call, f"`{keyword}=True`"), site))
        return out

    def _python_flag_given_false(self, func: FunctionInfo, name: str, index: ProjectIndex) -> bool:
        """Does the project give the Python flag `name` (a parameter of `func`, or of the function it is nested in)
        False somewhere, through the calls that hand it on (a class's constructor to its build method)?"""
        owner = func
        if name not in func.params and ".<locals>." in func.qualname:
            outer = func.qualname.rsplit(".<locals>.", 1)[0]
            owner = next((f for f in self.functions if f.qualname == outer), func)
        return index.called_with_false_mode((self.module_name, owner.qualname), name)

    def _unread_flags(self, index: ProjectIndex) -> List[Tuple[str, List[FunctionInfo], str, str]]:
        """(class, its methods, flag, how False reaches it) for each unread boolean placeholder of a class."""
        cached = self.__dict__.get("_unread_flag_cache")
        if cached is not None and cached[0] is index:
            return cached[1]  # the answer depends on the index (what other files feed): kept for this one only
        out = []
        for class_name in sorted({f.class_name for f in self.functions if f.class_name is not None}):
            methods = [f for f in self.functions if f.class_name == class_name and f.node is not None]
            for flag in self._class_bool_placeholders(methods):
                fed_by = self._false_reaches(flag, methods, index)
                if fed_by is None or self._read_beyond_feeds(flag, methods):
                    continue
                if "." + flag.split(".", 1)[1] in index.referenced_names:
                    continue  # `block(model.features, model.is_training)`: read through the object somewhere
                out.append((class_name, methods, flag, fed_by))
        self.__dict__["_unread_flag_cache"] = (index, out)
        return out

    def _class_bool_placeholders(self, methods: List[FunctionInfo]) -> List[str]:
        return sorted({name for f in methods for name, values in f.assignments.items()
                       if name.startswith("self.") and name.count(".") == 1 and len(values) == 1
                       and self.is_bool_placeholder(values[0][0])})

    def _false_reaches(self, flag: str, methods: List[FunctionInfo], index: ProjectIndex) -> Optional[str]:
        """How False is fed to `flag`: a literal feed in this file, or a method's parameter that fills it."""
        if "False" in self.builder.bool_fed.get(flag, ()):
            return "a feed"
        for method in methods:
            for param in _feed_params(method, flag):
                key = (self.module_name, method.qualname)
                if index.method_given_false(method.name, param, f"{self.module_name}.{method.class_name}"):
                    return f"`{method.name}({param}=False)`"
                if index.called_with_false_mode(key, param):
                    option = index.false_only_by_option(key, param)
                    return f"`{method.name}({param}={option})`, False by default" if option else f"`{method.name}({param}=False)`"
        return None

    @staticmethod
    def _read_beyond_feeds(flag: str, methods: List[FunctionInfo]) -> bool:
        """Does any method use `flag` other than where it is made and as a feed dict's key?"""
        attr = flag.split(".", 1)[1]
        wanted = m.Attribute(value=m.Name("self"), attr=m.Name(attr))
        uses = sum(len(m.findall(f.node, wanted)) for f in methods)
        keys = sum(len(m.findall(f.node, m.DictElement(key=wanted))) + len(m.findall(f.node, m.AssignTarget(
            target=m.Subscript(slice=[m.SubscriptElement(slice=m.Index(value=wanted))])))) for f in methods)
        return uses > keys + 1

    def _python_moded_build(self, methods: List[FunctionInfo], index: ProjectIndex, flag: str):
        """The class's first batch-norm call (the constructor's first) that gets its mode from a parameter or a
        constant, or else its first batch-norm layer that does (`tf.layers.batch_normalization(x,
        training=is_train)` in the method that also makes the placeholder): (call, the mode as written)."""
        ordered = sorted(methods, key=lambda f: not f.qualname.endswith(".__init__"))
        for method in ordered:
            for call in sorted(self.bn_calls(method, index), key=lambda c: c.site.order):
                for param, mode in sorted(call.modes.items()):
                    if mode.kind == PARAM and isinstance(mode.expr, cst.Name):
                        return call.site.call, f"`{param}={mode.expr.value}`"
                    if mode.kind == TRUE:
                        return call.site.call, f"`{param}=True`" if mode.expr is not None else f"its default `{param}=True`"
        # the layers of the method that makes the placeholder first: the graph it was meant for
        for method in sorted(ordered, key=lambda f: flag not in f.assignments):
            sites = self.bn_sites(method, index)
            if any(site.mode.kind not in (PARAM, TRUE) for site in sites) or not self.method_named(method, index):
                continue  # a False twin (`tf.cond(phase, lambda: bn_train, lambda: bn_infer)`), or never called
            for site in sorted(sites, key=lambda s: s.order):
                mode, keyword = site.mode, site.mode.keyword or "training"
                if mode.kind == PARAM and isinstance(mode.expr, cst.Name) and mode.expr.value in method.params:
                    return site.layer.call, f"`{keyword}={mode.expr.value}`"
                if mode.kind == TRUE and mode.expr is not None:
                    return site.layer.call, f"`{keyword}=True`"
        # A network whose batch norm takes no mode at all, handed the Python flag anyway (`Generator(..., is_train)`,
        # its layers dropping it): the flag it was meant to follow is still not the placeholder.
        for method in ordered:
            flags = {p for p in method.params if p in MODE_PARAM_NAMES}
            for site in sorted(method.calls, key=lambda c: c.order) if flags else ():
                given = [a.value for a in site.call.args if isinstance(a.value, cst.Name) and a.value.value in flags]
                summary = index.lookup_site(site, self.module_name) if given else None
                if summary is not None and summary.has_bn:
                    return site.call, f"`{given[0].value}`"
        return None


def _feed_params(method: FunctionInfo, flag: str) -> List[str]:
    """Parameters of `method` it puts into a feed dict under `flag`: `fd[self.x] = p`, `{self.x: p}`."""
    attr = flag.split(".", 1)[1]
    key = m.Attribute(value=m.Name("self"), attr=m.Name(attr))
    values = [a.value for a in m.findall(method.node, m.Assign(targets=[m.AssignTarget(
        target=m.Subscript(slice=[m.SubscriptElement(slice=m.Index(value=key))]))]))]
    values += [e.value for e in m.findall(method.node, m.DictElement(key=key))]
    return sorted({v.value for v in values if isinstance(v, cst.Name) and v.value in method.params})
