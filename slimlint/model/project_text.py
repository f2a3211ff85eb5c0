"""Project facts read from the files' text alone, parsed or not.

They do not change when the engine parses more files, so Engine.analyse reads them once and binds them to each
round's index; the config table depends on which config names the parsed files read, so it is scanned again only
when that set of names grows.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Sequence

from slimlint.model import config_values
from slimlint.model.stale_copies import stale_copies

# Mode names some run sets False: a feed (`self.is_train: False`, `'is_training:0': False`) or a placeholder
# defaulting to False. Evidence that a mode decided at run time is False in some run (ProjectIndex.run_time_mode).
FED_FALSE = re.compile(r"(?<![\w'\"])(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)\s*:\s*False\b"
                       r"|['\"]([A-Za-z_]\w*):0['\"]\s*:\s*False\b"
                       r"|([A-Za-z_]\w*)\s*=\s*(?:tf\.)?(?:compat\.v1\.)?placeholder_with_default\(\s*False\b")
# Comments and triple-quoted strings (docstrings) hold no feeds: taken out before FED_FALSE looks.
_PROSE = re.compile(r"#[^\n]*|'''.*?'''|\"\"\".*?\"\"\"", re.S)
# Monte-Carlo dropout: the same run (or an Estimator's predict) repeated and stacked (`np.stack([sess.run(pred,
# feed) for _ in range(T)])`),
# or code that names it. Dropout left on at evaluation is then the method, not a leftover.
MONTE_CARLO = re.compile(r"\[[^\[\]]*\.(?:run|predict)\([^\[\]]*\bfor\s+_\w*\s+in\s+(?:x?range|tqdm)\("
                         r"|\b(?:mc_?dropout|monte_?carlo|mc_samples?|mc_preds?|mc_iters?|mc_runs?)\b", re.I)
# The loop form: `for t in range(n_passes): samples.append(sess.run(y_hat, {x: x_test}))`, the same feed each
# pass (the run does not name the loop variable), then the spread of the samples (`samples.var(axis=0)`).
MC_LOOP = re.compile(r"for\s+(\w+)\s+in\s+(?:x?range|tqdm)\([^\n]*\):[^\n]*\n\s+\w+\.append\([^\n]*?[\w.]+\.(?:run|predict)\("
                     r"(?![^\n]*\b\1\b)[^\n]*\)\s*$", re.MULTILINE)
_SPREAD = re.compile(r"\b(?:var|std)\(")
# A class or function picked by a name built at run time: `eval("Model_" + name)`, `globals()[name]`,
# `vars(models)[name]`, `models.__dict__[name]`, `Base.__subclasses__()`.
_DYNAMIC_NAMES = re.compile(
    r"(?<![\w.])eval\([^()\n]*\)\s*\("  # eval(...)(...): what it names is called at once
    r"|(?<![\w.])eval\(\s*(?:f[\"']|[\"'][^\"'\n]*[\"']\s*[%+.]|[\w.]+\s*\+\s*f?[\"'])"  # eval("Model_" + name), f-strings, %, .format
    r"|(?<![\w.])eval\(\s*[\w.]*(?:argv|args|FLAGS|flags|config|cfg|opt|opts)\b"  # eval(sys.argv[2]), eval(args.model)
    r"|(?<![\w.])globals\(\)\s*(?:\[|\.get\()|(?<![\w.])vars\([\w.]*\)\s*(?:\[|\.get\()|\.__dict__\s*(?:\[|\.get\()"
    r"|__subclasses__\("
    r"|(?<![\w.])locals\(\)\s*(?:\[|\.get\()|\bFire\(")  # locals()[name](), python-fire's command line
# An Estimator asked to evaluate, predict or export: its model_fn builds the graph for EVAL / PREDICT too.
# Called the Estimator way: with an input_fn (`est.predict(input_fn=...)`, `est.evaluate(lambda: eval_input())`),
# not Keras's or scikit-learn's `model.predict(x)`.
_ESTIMATOR_SERVES = re.compile(r"\.(?:evaluate|predict)\(\s*(?:input_fn\b|lambda\b|functools\.partial\b|partial\b|[\w.]*input_fn\w*|[\w.]*_fn\b)"
                               r"|\.(?:export_savedmodel|export_saved_model|experimental_export_all_saved_models)\("
                               r"|\btrain_and_evaluate\(|\bEvalSpec\(")
# `getattr(obj, name)` with a name that is not a string literal
_DYNAMIC_GETATTR = re.compile(r"\bgetattr\(\s*[^,()]+,\s*(?=\S)(?!(?:'[^'\n]*'|\"[^\"\n]*\")\s*[,)])")


class ProjectText:
    """The text facts of one analysis (see the module docstring)."""

    def __init__(self, units: Sequence) -> None:
        readable = [u for u in units if u.source is not None]
        self.texts = [u.source.text for u in readable]
        self._sources = {u.module_name: u.source.text for u in readable}
        self.arg_scopes = any("arg_scope" in text for text in self.texts)
        # `getattr(model, 'build_' + name)()`: any method may be called by a name built at run time.
        self.dynamic_getattr = any(_DYNAMIC_GETATTR.search(text) for text in self.texts if "getattr(" in text)
        self.fed_false_names = frozenset(a or b or c for text in self.texts if "False" in text
                                         for a, b, c in FED_FALSE.findall(_PROSE.sub("", text)))
        notebooks = {u.module_name for u in readable if u.source.notebook is not None}
        packages = frozenset(u.module_name for u in readable if u.code_relpath.replace("\\", "/").endswith("__init__.py"))
        self.stale_modules = stale_copies({m: t for m, t in self._sources.items() if m not in notebooks}, packages)
        self.monte_carlo = any(MONTE_CARLO.search(text) or MC_LOOP.search(text) and _SPREAD.search(text)
                               for text in self.texts if "run(" in text or "predict(" in text or "mc" in text.lower())
        self.keras_phase_named = any("learning_phase" in text for text in self.texts)
        self.eager_training = any("GradientTape" in text for text in self.texts)
        self.estimator_serves = any("stimator" in text for text in self.texts) and any(
            _ESTIMATOR_SERVES.search(text) for text in self.texts)
        self.dynamic_names = self.dynamic_getattr or any(_DYNAMIC_NAMES.search(text) for text in self.texts)
        self._configs: Dict[FrozenSet[str], config_values.ConfigConstants] = {}

    def config_constants(self, names) -> config_values.ConfigConstants:
        """What the files write to the config names the parsed dropouts read (`tf.nn.dropout(x, config.keep_prob)`)."""
        names = frozenset(names)
        if names not in self._configs:
            self._configs[names] = config_values.scan(self._sources, names)
        return self._configs[names]

    def bind(self, index, configs: config_values.ConfigConstants) -> None:
        index.dynamic_getattr = self.dynamic_getattr
        index.fed_false_names = self.fed_false_names
        index.config_constants = configs
        index.stale_modules = self.stale_modules
        index.monte_carlo = self.monte_carlo
        index.keras_phase_named = self.keras_phase_named
        index.eager_training = self.eager_training
        index.estimator_serves = self.estimator_serves
        index.dynamic_names = self.dynamic_names
