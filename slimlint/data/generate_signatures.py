"""Generate signatures.json: the parameters of the TF / tf.contrib / tf_slim / slim model-zoo functions
that slimlint's fixes may add a keyword argument to, read from the real packages' source.

    python -m slimlint.data.generate_signatures --tf1-wheel tensorflow_cpu-1.15.0-...whl \
        [--tf-slim DIR] [--research-slim DIR] [--output slimlint/data/signatures.json]

Sources are read as text and parsed with `ast`: nothing is imported or run.

* `--tf1-wheel`: a TensorFlow 1.x wheel (`pip download --no-deps --only-binary=:all: --python-version 37
  --platform manylinux2010_x86_64 tensorflow-cpu==1.15.0`), for tf.contrib.slim / tf.contrib.layers /
  tf.contrib.framework / tf.layers;
* `--tf-slim`: the tf_slim package folder (default: the installed one, found without importing it);
* `--research-slim`: a copy of tensorflow/models' research/slim (its `nets/` folder is read), for the model
  zoo scripts import as `nets.<module>` (mobilenet_v1, inception_v4, nasnet ...).

A name defined by several sources (tf.contrib.slim and tf_slim) keeps only the keywords every source
accepts, so a fix is offered only where it builds on each of them.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import sys
import zipfile
from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple

HERE = Path(__file__).resolve().parent

# (path inside the TF 1.x wheel, canonical prefix); a folder maps each module file to prefix + module name.
_TF1_FILES = (
    ("tensorflow_core/contrib/layers/python/layers/layers.py", "slim."),
    ("tensorflow_core/contrib/layers/python/layers/normalization.py", "slim."),
    ("tensorflow_core/contrib/layers/python/layers/optimizers.py", "slim."),
    ("tensorflow_core/contrib/framework/python/ops/arg_scope.py", "slim."),
    ("tensorflow_core/contrib/framework/python/ops/variables.py", "slim."),
    ("tensorflow_core/contrib/slim/python/slim/learning.py", "slim.learning."),
    ("tensorflow_core/python/layers/normalization.py", "tf.layers."),
    ("tensorflow_core/python/layers/core.py", "tf.layers."),
    ("tensorflow_core/python/layers/convolutional.py", "tf.layers."),
    ("tensorflow_core/python/layers/pooling.py", "tf.layers."),
    ("tensorflow_core/python/framework/ops.py", "tf."),
)
_TF1_NETS = "tensorflow_core/contrib/slim/python/slim/nets/"
_TF_SLIM_FILES = (("layers/layers.py", "slim."), ("layers/normalization.py", "slim."), ("ops/arg_scope.py", "slim."),
                  ("ops/variables.py", "slim."), ("learning.py", "slim.learning."))


def _value(node: Optional[ast.expr]) -> str:
    if isinstance(node, ast.Constant) and node.value in (True, False, None):
        return str(node.value).lower()
    return "other"


def _signature(args: ast.arguments, drop_self: bool) -> dict:
    positional = [a.arg for a in args.posonlyargs + args.args]
    if drop_self and positional:
        positional = positional[1:]
    defaults = dict(zip(reversed(positional), (_value(d) for d in reversed(args.defaults))))
    defaults.update({a.arg: _value(d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    return {
        "params": positional,
        "kwonly": [a.arg for a in args.kwonlyargs],
        "varargs": args.vararg is not None,
        "varkw": args.kwarg is not None,
        "defaults": {p: v for p, v in defaults.items() if v != "other"},
    }


def definitions(source: str) -> Iterator[Tuple[str, dict]]:
    """Public module-level functions, and classes by their constructor."""
    tree = ast.parse(source)
    found: Dict[str, dict] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = _signature(node.args, drop_self=False)
        elif isinstance(node, ast.ClassDef):
            init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
            if init is not None:
                found[node.name] = _signature(init.args, drop_self=True)
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
              and isinstance(node.value, ast.Name) and node.value.id in found):
            found[node.targets[0].id] = found[node.value.id]  # `conv2d = convolution2d`
    for name, sig in found.items():
        if not name.startswith("_"):
            yield name, sig


def reexports(source: str) -> Iterator[Tuple[str, str, str]]:
    """`from ...nets.inception_v3 import inception_v3` in a zoo module: (name, source module, its name)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if alias.name != "*":
                    yield alias.asname or alias.name, node.module.rsplit(".", 1)[-1], alias.name


def _reexport(table: Dict[str, dict], prefix: str, module: str, source: str) -> None:
    for name, origin, original in reexports(source):
        key = f"{prefix}{origin}.{original}"
        if key in table and not name.startswith("_"):
            table.setdefault(f"{prefix}{module}.{name}", table[key])


def _merge(table: Dict[str, dict], name: str, sig: dict) -> None:
    old = table.get(name)
    if old is None:
        table[name] = sig
        return
    # Defined by two sources: keep what both accept.
    accepted = set(old["params"]) | set(old["kwonly"])
    table[name] = {
        "params": [p for p in old["params"] if p in sig["params"]] if old["params"] != sig["params"] else old["params"],
        "kwonly": [p for p in old["kwonly"] if p in set(sig["params"]) | set(sig["kwonly"])],
        "varargs": old["varargs"] and sig["varargs"],
        "varkw": old["varkw"] and sig["varkw"],
        "defaults": {p: v for p, v in old["defaults"].items() if sig["defaults"].get(p) == v and p in accepted},
    }
    if old["params"] != sig["params"]:
        # Positions differ between versions: positional binding is not known for the differing tail.
        table[name]["positions_differ"] = True


def _add_nets(table: Dict[str, dict], prefix: str, sources: Dict[str, str]) -> int:
    """The model-zoo modules (module name -> source): their functions, then the names they re-export."""
    count = 0
    nets = {m: src for m, src in sources.items() if not m.startswith("_") and not m.endswith("_test")}
    for module, source in nets.items():
        for name, sig in definitions(source):
            _merge(table, f"{prefix}{module}.{name}", sig)
            count += 1
    for module, source in nets.items():
        _reexport(table, prefix, module, source)
    return count


def from_tf1_wheel(wheel: Path, table: Dict[str, dict]) -> int:
    count = 0
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for path, prefix in _TF1_FILES:
            if path in names:
                for name, sig in definitions(archive.read(path).decode("utf-8")):
                    _merge(table, prefix + name, sig)
                    count += 1
        nets = {path[len(_TF1_NETS):-3]: archive.read(path).decode("utf-8")
                for path in sorted(names) if path.startswith(_TF1_NETS) and path.endswith(".py")}
        count += _add_nets(table, "slim.nets.", nets)
    return count


def from_tf_slim(root: Path, table: Dict[str, dict]) -> int:
    count = 0
    for rel, prefix in _TF_SLIM_FILES:
        path = root / rel
        if path.is_file():
            for name, sig in definitions(path.read_text(encoding="utf-8")):
                _merge(table, prefix + name, sig)
                count += 1
    nets = {p.stem: p.read_text(encoding="utf-8") for p in sorted((root / "nets").glob("*.py"))}
    return count + _add_nets(table, "slim.nets.", nets)


def from_research_slim(root: Path, table: Dict[str, dict]) -> int:
    # Networks in sub-packages (nets/mobilenet/mobilenet_v2.py) are filed under their module's own name.
    nets = {p.stem: p.read_text(encoding="utf-8") for p in sorted((root / "nets").rglob("*.py"))}
    return _add_nets(table, "nets.", nets)


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tf1-wheel", type=Path, required=True)
    parser.add_argument("--tf-slim", type=Path)
    parser.add_argument("--research-slim", type=Path)
    parser.add_argument("--output", type=Path, default=HERE / "signatures.json")
    args = parser.parse_args(argv)
    tf_slim = args.tf_slim
    if tf_slim is None:
        spec = importlib.util.find_spec("tf_slim")
        if spec is None or spec.origin is None:
            parser.error("tf_slim is not installed: give --tf-slim DIR")
        tf_slim = Path(spec.origin).parent
    table: Dict[str, dict] = {}
    counts = {"tf1": from_tf1_wheel(args.tf1_wheel, table), "tf_slim": from_tf_slim(tf_slim, table)}
    if args.research_slim is not None:
        counts["research_slim"] = from_research_slim(args.research_slim, table)
    data = {
        "sources": {"tf1_wheel": args.tf1_wheel.name, "tf_slim": _version(tf_slim),
                    "research_slim": bool(args.research_slim)},
        "functions": dict(sorted(table.items())),
    }
    args.output.write_text(json.dumps(data, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{len(table)} signatures ({counts}) -> {args.output}")
    return 0


def _version(root: Path) -> str:
    for dist in root.parent.glob("tf_slim-*.dist-info"):
        return dist.name[len("tf_slim-"):-len(".dist-info")]
    return "unknown"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
