"""[tool.slimlint] loading, validation, rule selection and path globs."""

from __future__ import annotations

import dataclasses
import re
import textwrap

import pytest

from slimlint.config import (
    DEFAULT_EXCLUDE,
    ConfigError,
    Settings,
    find_pyproject,
    glob_to_regex,
    load_settings,
    path_matches,
)

KNOWN = ["SL101", "SL102", "SL103", "SL104", "SL105", "SL201", "SL202", "SL301", "SL900"]


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load(project, toml, overrides=None, known=KNOWN):
    write(project / "pyproject.toml", toml)
    return load_settings(project, overrides or {}, known_codes=known)


# -- finding the file -----------------------------------------------------------------------------


def test_no_pyproject_gives_defaults(project):
    settings, path = load_settings(project, {}, known_codes=KNOWN)
    assert path is None
    assert settings == Settings(root=project)
    assert settings.exclude == DEFAULT_EXCLUDE
    assert settings.train_op_fix == "create-train-op"


def test_found_by_searching_upward(project):
    write(project / "pyproject.toml", '[tool.slimlint]\nignore = ["SL201"]\n')
    sub = project / "a" / "b"
    sub.mkdir(parents=True)
    settings, path = load_settings(sub, {}, known_codes=KNOWN)
    assert path == project / "pyproject.toml"
    assert settings.ignore == ("SL201",)
    assert settings.root == project  # globs are relative to the config's directory


def test_nearest_wins(project):
    write(project / "pyproject.toml", '[tool.slimlint]\nignore = ["SL201"]\n')
    write(project / "sub" / "pyproject.toml", '[tool.slimlint]\nignore = ["SL101"]\n')
    settings, path = load_settings(project / "sub", {}, known_codes=KNOWN)
    assert path == project / "sub" / "pyproject.toml"
    assert settings.ignore == ("SL101",)


def test_pyproject_without_our_table_is_skipped(project):
    write(project / "pyproject.toml", '[tool.slimlint]\nignore = ["SL201"]\n')
    write(project / "sub" / "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nline-length = 90\n')
    _, path = load_settings(project / "sub", {}, known_codes=KNOWN)
    assert path == project / "pyproject.toml"


def test_start_may_be_a_file(project):
    write(project / "pyproject.toml", "[tool.slimlint]\n")
    write(project / "x.py", "")
    assert find_pyproject(project / "x.py") == project / "pyproject.toml"


def test_search_stops_at_root(tmp_path):
    # Nothing above tmp_path is expected to configure slimlint; the walk must end quietly at "/".
    assert find_pyproject(tmp_path) is None


# -- reading every key ----------------------------------------------------------------------------


def test_all_keys(project):
    settings, _ = load(
        project,
        """
        [tool.slimlint]
        select = ["SL1"]
        extend-select = ["SL201"]
        ignore = ["SL105"]
        exclude = ["gen"]
        extend-exclude = ["third_party/**"]
        eval-paths = ["scripts/eval_*.py"]
        train-paths = ["train/**"]
        train-op-fix = "control-dependencies"

        [tool.slimlint.per-file-ignores]
        "tests/*" = ["SL201", "SL1"]
        "__init__.py" = ["SL900"]
        """,
    )
    assert settings.select == ("SL1",)
    assert settings.extend_select == ("SL201",)
    assert settings.ignore == ("SL105",)
    assert settings.exclude == ("gen",)
    assert settings.extend_exclude == ("third_party/**",)
    assert settings.all_excludes == ("gen", "third_party/**")
    assert settings.eval_paths == ("scripts/eval_*.py",)
    assert settings.train_paths == ("train/**",)
    assert settings.train_op_fix == "control-dependencies"
    assert settings.per_file_ignores == (("tests/*", ("SL201", "SL1")), ("__init__.py", ("SL900",)))


def test_settings_is_frozen_and_hashable(project):
    settings, _ = load(project, '[tool.slimlint]\n[tool.slimlint.per-file-ignores]\n"a.py" = ["SL1"]\n')
    hash(settings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.select = ("SL2",)  # type: ignore[misc]


# -- errors ---------------------------------------------------------------------------------------


def test_unknown_key_suggests(project):
    with pytest.raises(ConfigError) as info:
        load(project, '[tool.slimlint]\nselct = ["SL101"]\n')
    assert str(info.value) == "pyproject.toml: [tool.slimlint] unknown key 'selct' (did you mean 'select'?)"


def test_unknown_key_without_suggestion(project):
    with pytest.raises(ConfigError, match=r"unknown key 'zzz'$"):
        load(project, "[tool.slimlint]\nzzz = 1\n")


def test_snake_case_key_in_file_is_rejected_with_hint(project):
    with pytest.raises(ConfigError, match=r"unknown key 'extend_select' \(did you mean 'extend-select'\?\)"):
        load(project, '[tool.slimlint]\nextend_select = ["SL101"]\n')


def test_error_names_file_from_subdirectory(project):
    write(project / "pyproject.toml", '[tool.slimlint]\nignore = "SL101"\n')
    (project / "sub").mkdir()
    with pytest.raises(ConfigError) as info:
        load_settings(project / "sub", {}, known_codes=KNOWN)
    assert str(info.value) == ("pyproject.toml: [tool.slimlint] 'ignore' must be a list of strings (got a string)")


@pytest.mark.parametrize(
    "toml, pattern",
    [
        ("select = [1]", r"'select' must be a list of strings \(got a list with non-string items\)"),
        ("exclude = true", r"'exclude' must be a list of strings \(got a boolean\)"),
        ("per-file-ignores = []", r"'per-file-ignores' must be a table"),
        ('per-file-ignores = {"a.py" = "SL101"}', r"'per-file-ignores' entry 'a.py' must be a list of strings"),
        ('train-op-fix = "minimize"', r"'train-op-fix' must be one of 'create-train-op', 'control-dependencies'"),
        ("train-op-fix = 3", r"'train-op-fix' must be one of"),
    ],
)
def test_wrong_types_and_values(project, toml, pattern):
    with pytest.raises(ConfigError, match=r"^pyproject\.toml: \[tool\.slimlint\] " + pattern):
        load(project, f"[tool.slimlint]\n{toml}\n")


def test_unknown_rule_code_suggests(project):
    with pytest.raises(ConfigError) as info:
        load(project, '[tool.slimlint]\nignore = ["SL110"]\n')
    message = str(info.value)
    assert message.startswith("pyproject.toml: [tool.slimlint] 'ignore': unknown rule code or prefix 'SL110'")
    assert re.search(r"did you mean 'SL10\d'\?", message)


def test_unknown_code_in_per_file_ignores(project):
    with pytest.raises(ConfigError, match=r"'per-file-ignores' entry 'tests/\*': unknown rule code or prefix 'SL7'"):
        load(project, '[tool.slimlint.per-file-ignores]\n"tests/*" = ["SL7"]\n')


def test_lowercase_code_rejected_with_uppercase_hint(project):
    with pytest.raises(ConfigError, match=r"unknown rule code or prefix 'sl101' \(did you mean 'SL101'\?\)"):
        load(project, '[tool.slimlint]\nselect = ["sl101"]\n')


def test_prefixes_and_all_accepted(project):
    settings, _ = load(project, '[tool.slimlint]\nselect = ["SL", "SL1", "SL10", "ALL"]\n')
    assert settings.select == ("SL", "SL1", "SL10", "ALL")


def test_without_known_codes_only_syntax_is_checked(project):
    settings, _ = load(project, '[tool.slimlint]\nselect = ["SL777"]\n', known=None)
    assert settings.select == ("SL777",)
    with pytest.raises(ConfigError, match="unknown rule code or prefix 'not a code'"):
        load(project, '[tool.slimlint]\nselect = ["not a code"]\n', known=None)


def test_invalid_toml_reports_line(project):
    with pytest.raises(ConfigError) as info:
        load(project, '[tool.slimlint]\nselect = ["SL101"\nignore = []\n')
    message = str(info.value)
    assert message.startswith("pyproject.toml: invalid TOML: ")
    assert "line 3" in message


def test_invalid_toml_in_a_pyproject_on_the_way_up(project):
    write(project / "pyproject.toml", "[tool.slimlint\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_pyproject(project)


def test_table_must_be_a_table(project):
    with pytest.raises(ConfigError, match=r"\[tool.slimlint\] must be a table"):
        load(project, '[tool]\nslimlint = "yes"\n')


# -- command-line overrides -----------------------------------------------------------------------

CONFIGURED = """
[tool.slimlint]
select = ["SL1"]
extend-select = ["SL201"]
ignore = ["SL105"]
exclude = ["gen"]
extend-exclude = ["vendor"]
train-op-fix = "control-dependencies"
"""


def test_overrides_win(project):
    settings, _ = load(project, CONFIGURED, {"train-op-fix": "create-train-op", "exclude": ["x"]})
    assert settings.train_op_fix == "create-train-op"
    assert settings.exclude == ("x",)
    assert settings.extend_exclude == ("vendor",)


def test_cli_select_starts_selection_afresh(project):
    # As in ruff: `--select` drops the file's extend-select and ignore.
    settings, _ = load(project, CONFIGURED, {"select": ["SL105"]})
    assert settings.select == ("SL105",)
    assert settings.extend_select == () and settings.ignore == ()
    assert settings.is_selected("SL105")


def test_cli_ignore_and_extend_options_add(project):
    settings, _ = load(
        project, CONFIGURED, {"ignore": ["SL101"], "extend_select": ["SL3"], "extend-exclude": ["build"]}
    )
    assert settings.select == ("SL1",)
    assert settings.ignore == ("SL105", "SL101")
    assert settings.extend_select == ("SL201", "SL3")
    assert settings.extend_exclude == ("vendor", "build")


def test_overrides_none_means_not_given_and_commas_split(project):
    settings, _ = load(project, CONFIGURED, {"select": None, "ignore": ("SL101, SL102", "SL103")})
    assert settings.select == ("SL1",)
    assert settings.ignore == ("SL105", "SL101", "SL102", "SL103")
    settings, _ = load(project, CONFIGURED, {"ignore": "SL201,SL202"})
    assert settings.ignore == ("SL105", "SL201", "SL202")


def test_overrides_without_a_file(project):
    settings, path = load_settings(project, {"select": "SL2"}, known_codes=KNOWN)
    assert path is None
    assert settings.select == ("SL2",)


def test_bad_override(project):
    with pytest.raises(ConfigError, match=r"^command line: 'select': unknown rule code or prefix 'SL999'"):
        load_settings(project, {"select": ["SL999"]}, known_codes=KNOWN)
    with pytest.raises(ConfigError, match=r"^command line: unknown key 'selekt' \(did you mean 'select'\?\)"):
        load_settings(project, {"selekt": ["SL101"]}, known_codes=KNOWN)
    with pytest.raises(ConfigError, match="command line: 'train-op-fix' must be one of"):
        load_settings(project, {"train_op_fix": "other"}, known_codes=KNOWN)


# -- rule selection -------------------------------------------------------------------------------


def sel(**kw):
    return Settings(**kw)


def test_default_selects_everything():
    assert all(Settings().is_selected(code) for code in KNOWN)


def test_select_replaces_default():
    s = sel(select=("SL1",))
    assert s.is_selected("SL101") and not s.is_selected("SL201")


def test_extend_select_adds():
    s = sel(select=("SL1",), extend_select=("SL201",))
    assert s.is_selected("SL201") and not s.is_selected("SL202")


def test_ignore_removes():
    s = sel(ignore=("SL2",))
    assert not s.is_selected("SL201") and s.is_selected("SL101")


def test_most_specific_prefix_wins():
    assert sel(select=("SL201",), ignore=("SL2",)).is_selected("SL201")
    assert not sel(select=("SL2",), ignore=("SL201",)).is_selected("SL201")
    assert sel(select=("SL2",), ignore=("SL201",)).is_selected("SL202")
    assert sel(extend_select=("SL105",), ignore=("SL1",)).is_selected("SL105")


def test_ignore_wins_a_tie():
    assert not sel(select=("SL1",), ignore=("SL1",)).is_selected("SL101")


def test_all_prefix():
    assert sel(select=("ALL",)).is_selected("SL900")
    assert sel(select=("SL1",), ignore=("ALL",)).is_selected("SL101")  # SL1 is more specific than ALL
    assert not sel(select=("SL1",), ignore=("ALL",)).is_selected("SL201")
    assert not sel(select=("ALL",), ignore=("ALL",)).is_selected("SL101")


def test_empty_select_selects_nothing():
    assert not sel(select=()).is_selected("SL101")


# -- per-file-ignores and path roles ----------------------------------------------------------------


def test_per_file_ignores(tmp_path):
    s = Settings(
        root=tmp_path,
        per_file_ignores=(
            ("tests/*", ("SL2",)),
            ("__init__.py", ("SL900",)),
            ("scripts/**/export_*.py", ("SL201",)),
            ("legacy", ("SL1",)),
        ),
    )
    assert s.ignored_for(tmp_path / "tests" / "test_a.py") == {"SL2"}
    assert s.ignored_for(tmp_path / "tests" / "deep" / "test_b.py") == {"SL2"}  # tests/deep matched
    assert s.ignored_for(tmp_path / "pkg" / "sub" / "__init__.py") == {"SL900"}
    assert s.ignored_for(tmp_path / "scripts" / "export_x.py") == {"SL201"}
    assert s.ignored_for(tmp_path / "scripts" / "a" / "b" / "export_x.py") == {"SL201"}
    assert s.ignored_for(tmp_path / "a" / "legacy" / "x.py") == {"SL1"}
    assert s.ignored_for(tmp_path / "src" / "tests.py") == set()
    assert s.ignored_for(tmp_path / "pkg" / "tests" / "a.py") == set()  # "tests/*" is anchored at root


def test_per_file_ignores_relative_paths_use_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = Settings(root=tmp_path, per_file_ignores=(("tests/*", ("SL2",)),))
    assert s.ignored_for("tests/a.py") == {"SL2"}


def test_is_enabled_for(tmp_path):
    s = Settings(root=tmp_path, ignore=("SL105",), per_file_ignores=(("tests/*", ("SL2",)),))
    assert not s.is_enabled_for("SL201", tmp_path / "tests" / "a.py")
    assert s.is_enabled_for("SL101", tmp_path / "tests" / "a.py")
    assert s.is_enabled_for("SL201", tmp_path / "src" / "a.py")
    assert not s.is_enabled_for("SL105", tmp_path / "src" / "a.py")


def test_eval_and_train_paths(tmp_path):
    s = Settings(root=tmp_path, eval_paths=("tools/eval_*.py", "inference"), train_paths=("train/**",))
    assert s.is_eval_path(tmp_path / "tools" / "eval_imagenet.py")
    assert s.is_eval_path(tmp_path / "x" / "inference" / "run.py")
    assert not s.is_eval_path(tmp_path / "tools" / "train.py")
    assert s.is_train_path(tmp_path / "train" / "a" / "b.py")
    assert not s.is_train_path(tmp_path / "trainer.py")


def test_path_outside_root(tmp_path):
    root = tmp_path / "proj"
    assert path_matches(tmp_path / "other" / "x_pb2.py", ["*_pb2.py"], root)  # bare name still matches
    assert not path_matches(tmp_path / "other" / "a.py", ["other/*"], root)
    assert path_matches(tmp_path / "other" / "a.py", [f"{tmp_path}/other/*"], root)  # absolute pattern


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        ("*.py", "a.py", True),
        ("*.py", "a/b.py", False),
        ("a/*.py", "a/b.py", True),
        ("a/*.py", "a/b/c.py", False),
        ("**/x.py", "x.py", True),
        ("**/x.py", "a/b/x.py", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**", "a/x/y", True),
        ("a/**", "a", False),
        ("a**b", "axxb", True),
        ("a**b", "a/b", False),
        ("?.py", "a.py", True),
        ("?.py", "/.py", False),
        ("[ab].py", "b.py", True),
        ("[!ab].py", "c.py", True),
        ("[!ab].py", "a.py", False),
        ("[!a]", "/", False),
        ("[a-c]x", "bx", True),
        ("\\*.py", "*.py", True),
        ("\\*.py", "a.py", False),
        ("[abc", "[abc", True),
        ("a.b", "axb", False),
        ("(x)+", "(x)+", True),
    ],
)
def test_glob_to_regex(pattern, path, expected):
    assert (re.fullmatch(glob_to_regex(pattern), path, re.DOTALL) is not None) is expected


# -- digest ---------------------------------------------------------------------------------------


def test_digest_is_stable_and_sensitive(tmp_path):
    a = Settings(root=tmp_path, ignore=("SL1",))
    assert a.digest() == Settings(root=tmp_path, ignore=("SL1",)).digest()
    assert len(a.digest()) == 64
    assert a.digest() != Settings(root=tmp_path, ignore=("SL2",)).digest()
    assert a.digest() != Settings(root=tmp_path, ignore=("SL1",), train_op_fix="control-dependencies").digest()
    # Where the project sits is not part of it (every file's path relative to the root is in the cache key):
    # a cache restored into another checkout folder must answer (issue 13, case 4).
    assert a.digest() == Settings(root=tmp_path / "x", ignore=("SL1",)).digest()
    assert a.digest() != Settings(root=None, ignore=("SL1",)).digest()
    assert Settings().digest() == Settings().digest()
