"""File discovery: walking, default and configured excludes, .gitignore, symlinks, errors."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from slimlint.config import Settings
from slimlint.discovery import GitIgnore, _parse_gitignore, discover


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def rel(result, root: Path) -> list[str]:
    return [p.relative_to(root.resolve()).as_posix() for p in result.files]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


def settings(root, **kw):
    return Settings(root=root, **kw)


# -- basics ---------------------------------------------------------------------------------------


def test_walk_collects_python_files_sorted(tree):
    touch(tree, "b.py", "a.py", "stubs.pyi", "README.md", "data.txt", "pkg/__init__.py", "pkg/z/m.py", "noext")
    result = discover([tree], settings(tree))
    assert rel(result, tree) == ["a.py", "b.py", "pkg/__init__.py", "pkg/z/m.py", "stubs.pyi"]
    assert result.errors == []
    assert all(p.is_absolute() for p in result.files)


def test_default_path_is_cwd(tree):
    touch(tree, "a.py", "sub/b.py")
    assert rel(discover([], settings(tree)), tree) == ["a.py", "sub/b.py"]
    assert rel(discover(None), tree) == ["a.py", "sub/b.py"]


def test_relative_paths_resolved_against_cwd(tree):
    touch(tree, "sub/b.py", "c.py")
    result = discover(["sub", "./c.py"], settings(tree))
    assert result.files == [tree.resolve() / "c.py", tree.resolve() / "sub" / "b.py"]


def test_duplicates_and_overlaps_once(tree):
    touch(tree, "a.py", "sub/b.py")
    result = discover([".", "sub", "a.py", "./sub/../a.py", tree / "sub" / "b.py"], settings(tree))
    assert rel(result, tree) == ["a.py", "sub/b.py"]


def test_stdin_dash(tree):
    touch(tree, "a.py")
    result = discover(["-"], settings(tree))
    assert result.stdin and result.files == [] and result.errors == []


# -- what a walk skips ----------------------------------------------------------------------------


def test_default_excludes_hidden_pycache_and_venvs(tree):
    touch(
        tree,
        "keep.py",
        ".git/hook.py",
        ".tox/py/x.py",
        ".hidden/x.py",
        "__pycache__/x.py",
        "node_modules/x.py",
        "dist/x.py",
        "venv/lib/x.py",
        "site-packages/x.py",
        "env/pyvenv.cfg",
        "env/lib/x.py",
        "py311/pyvenv.cfg",
        "py311/x.py",
        "build/kept.py",  # not in ruff's default list
        ".hidden_file.py",  # hidden files are not skipped, only directories
    )
    assert rel(discover([tree], settings(tree)), tree) == [".hidden_file.py", "build/kept.py", "keep.py"]


def test_exclude_replaces_defaults_and_extend_exclude_adds(tree):
    touch(tree, "a.py", "gen/x.py", "dist/x.py", "src/model_pb2.py", "src/m.py", "third_party/a/b.py")
    s = settings(tree, exclude=("gen",), extend_exclude=("*_pb2.py", "third_party/**"))
    assert rel(discover([tree], s), tree) == ["a.py", "dist/x.py", "src/m.py"]


def test_exclude_anchored_patterns_are_relative_to_project_root(tree):
    touch(tree, "src/gen/a.py", "gen/b.py", "c.py")
    s = settings(tree, extend_exclude=("src/gen",))
    assert rel(discover([tree], s), tree) == ["c.py", "gen/b.py"]
    # Same answer when walking a subdirectory: patterns do not move with the walk root.
    assert rel(discover([tree / "src"], s), tree) == []


def test_named_paths_are_always_used(tree):
    touch(tree, "gen/x.py", ".hidden/y.py", "notes.txt", "script", "dist/z.py")
    s = settings(tree, extend_exclude=("gen", "notes.txt"))
    result = discover(["gen/x.py", ".hidden", "notes.txt", "script", "dist"], s)
    assert rel(result, tree) == [".hidden/y.py", "dist/z.py", "gen/x.py", "notes.txt", "script"]


def test_excluded_dirs_inside_a_named_dir_still_skipped(tree):
    touch(tree, "pkg/a.py", "pkg/node_modules/b.py", "pkg/.cache/c.py")
    assert rel(discover(["pkg"], settings(tree)), tree) == ["pkg/a.py"]


def test_directory_named_like_a_python_file_is_walked(tree):
    touch(tree, "weird.py/inner.py", "weird.py/data.txt")
    assert rel(discover([tree], settings(tree)), tree) == ["weird.py/inner.py"]
    assert rel(discover(["weird.py"], settings(tree)), tree) == ["weird.py/inner.py"]


# -- errors ---------------------------------------------------------------------------------------


def test_missing_path_is_an_error_not_an_exception(tree):
    touch(tree, "a.py")
    result = discover(["nope.py", "a.py", "gone/"], settings(tree))
    assert rel(result, tree) == ["a.py"]
    assert result.errors == [("nope.py", "No such file or directory"), ("gone/", "No such file or directory")]


def test_unreadable_directory_reported(tree, monkeypatch):
    touch(tree, "ok/a.py", "locked/b.py")
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = discover([tree], settings(tree))
    assert rel(result, tree) == ["ok/a.py"]
    assert result.errors == [(str(tree.resolve() / "locked"), "cannot read directory: Permission denied")]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_directory_for_real(tree):
    touch(tree, "locked/b.py", "a.py")
    (tree / "locked").chmod(0)
    try:
        result = discover([tree], settings(tree))
    finally:
        (tree / "locked").chmod(0o755)
    assert rel(result, tree) == ["a.py"]
    assert len(result.errors) == 1 and "Permission denied" in result.errors[0][1]


# -- symlinks -------------------------------------------------------------------------------------

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX symlinks")


@needs_symlinks
def test_symlink_loops_do_not_hang(tree):
    touch(tree, "a/x.py")
    (tree / "a" / "loop").symlink_to(tree)  # a/loop -> proj
    (tree / "a" / "self").symlink_to(tree / "a")
    (tree / "ring1").symlink_to(tree / "ring2")
    (tree / "ring2").symlink_to(tree / "ring1")
    result = discover([tree], settings(tree))
    assert rel(result, tree) == ["a/x.py"]
    assert result.errors == []


@needs_symlinks
def test_named_symlink_loop_is_an_error(tree):
    (tree / "ring1.py").symlink_to(tree / "ring2.py")
    (tree / "ring2.py").symlink_to(tree / "ring1.py")
    result = discover(["ring1.py"], settings(tree))
    assert result.files == []
    assert result.errors == [("ring1.py", "Too many levels of symbolic links")]


@needs_symlinks
def test_directory_symlinks_out_of_the_tree_are_not_followed(tree, tmp_path):
    touch(tmp_path, "outside/lib.py")
    touch(tree, "a.py")
    (tree / "vendor").symlink_to(tmp_path / "outside")
    assert rel(discover([tree], settings(tree)), tree) == ["a.py"]
    # ...unless named on the command line.
    result = discover(["vendor"], settings(tree))
    assert result.files == [(tmp_path / "outside" / "lib.py").resolve()]


@needs_symlinks
def test_directory_symlink_inside_tree_not_duplicated(tree):
    touch(tree, "real/m.py")
    (tree / "alias").symlink_to(tree / "real")
    assert rel(discover([tree], settings(tree)), tree) == ["real/m.py"]


@needs_symlinks
def test_file_symlinks_followed_and_deduplicated(tree, tmp_path):
    touch(tmp_path, "outside/shared.py")
    touch(tree, "real.py")
    (tree / "link_out.py").symlink_to(tmp_path / "outside" / "shared.py")
    (tree / "link_in.py").symlink_to(tree / "real.py")
    (tree / "dangling.py").symlink_to(tree / "missing.py")
    (tree / "dirlink.py").symlink_to(tmp_path / "outside")
    result = discover([tree], settings(tree))
    # link_in.py and real.py are one file: reported once, under the first name in sorted order.
    assert rel(result, tree) == ["link_in.py", "link_out.py"]
    assert result.errors == []


@needs_symlinks
def test_named_symlinked_file_keeps_its_name(tree, tmp_path):
    touch(tmp_path, "outside/shared.py")
    (tree / "link.py").symlink_to(tmp_path / "outside" / "shared.py")
    assert discover(["link.py"], settings(tree)).files == [tree.resolve() / "link.py"]


@needs_symlinks
def test_named_dangling_symlink_is_an_error(tree):
    (tree / "dangling.py").symlink_to(tree / "missing.py")
    result = discover(["dangling.py"], settings(tree))
    assert result.files == [] and result.errors == [("dangling.py", "No such file or directory")]


# -- .gitignore -----------------------------------------------------------------------------------


def git_init(path: Path) -> None:
    (path / ".git" / "info").mkdir(parents=True)


def test_gitignore_basic(tree):
    git_init(tree)
    (tree / ".gitignore").write_text("# comment\n\n*_pb2.py\n/generated\nlogs/\n!keep_pb2.py\nsub/only_here.py\n")
    touch(
        tree,
        "a.py",
        "m_pb2.py",
        "deep/x_pb2.py",
        "keep_pb2.py",
        "generated/g.py",
        "pkg/generated/g.py",  # "/generated" is anchored at the .gitignore's directory
        "logs/l.py",
        "pkg/logs/l.py",
        "sub/only_here.py",
        "other/sub/only_here.py",
    )
    (tree / "logs.py").write_text("")  # "logs/" matches directories only
    assert rel(discover([tree], settings(tree)), tree) == [
        "a.py",
        "keep_pb2.py",
        "logs.py",
        "other/sub/only_here.py",
        "pkg/generated/g.py",
    ]


def test_nested_gitignore_overrides_parent(tree):
    git_init(tree)
    (tree / ".gitignore").write_text("*.pyi\n")
    touch(tree, "a.pyi", "pkg/b.pyi", "pkg/c.py", "pkg/other/d.pyi")
    (tree / "pkg" / ".gitignore").write_text("!b.pyi\nc.py\n")
    assert rel(discover([tree], settings(tree)), tree) == ["pkg/b.pyi"]


def test_gitignore_of_parents_up_to_repo_root(tree):
    git_init(tree)
    (tree / ".gitignore").write_text("ignored_everywhere.py\n/src/anchored.py\n")
    touch(tree, "src/ignored_everywhere.py", "src/anchored.py", "src/kept.py")
    assert rel(discover([tree / "src"], settings(tree)), tree) == ["src/kept.py"]


def test_gitignore_above_repo_root_is_not_read(tmp_path, monkeypatch):
    (tmp_path / ".gitignore").write_text("*.py\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    git_init(repo)
    touch(repo, "a.py")
    monkeypatch.chdir(repo)
    assert rel(discover([repo], settings(repo)), repo) == ["a.py"]


def test_gitignore_without_a_repository(tree):
    # An exported tree (no .git anywhere above) still honours its own .gitignore files...
    (tree / ".gitignore").write_text("skip.py\n")
    touch(tree, "skip.py", "a.py")
    assert rel(discover([tree], settings(tree)), tree) == ["a.py"]


def test_info_exclude(tree):
    git_init(tree)
    (tree / ".git" / "info" / "exclude").write_text("local_*.py\n")
    (tree / ".gitignore").write_text("!local_keep.py\n")
    touch(tree, "local_a.py", "local_keep.py", "b.py")
    assert rel(discover([tree], settings(tree)), tree) == ["b.py", "local_keep.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_info_exclude_of_the_main_repository_applies_in_a_linked_worktree(tree, tmp_path):
    touch(tree, "a.py")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tree)]
    subprocess.run([*git, "init", "-q"], check=True, capture_output=True)
    subprocess.run([*git, "add", "a.py"], check=True, capture_output=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True, capture_output=True)
    worktree = tmp_path / "wt"
    subprocess.run([*git, "worktree", "add", "-q", str(worktree)], check=True, capture_output=True)
    assert (worktree / ".git").is_file()
    (tree / ".git" / "info").mkdir(exist_ok=True)
    (tree / ".git" / "info" / "exclude").write_text("local_*.py\n")
    touch(worktree, "local_a.py", "b.py")
    assert rel(discover([worktree], settings(worktree)), worktree) == ["a.py", "b.py"]


def test_ignored_directory_cannot_be_reincluded_from_inside(tree):
    git_init(tree)
    (tree / ".gitignore").write_text("out/\n!out/keep.py\n")
    touch(tree, "out/keep.py", "a.py")
    assert rel(discover([tree], settings(tree)), tree) == ["a.py"]


def test_named_gitignored_file_is_used(tree):
    git_init(tree)
    (tree / ".gitignore").write_text("secret.py\n")
    touch(tree, "secret.py")
    assert rel(discover(["secret.py"], settings(tree)), tree) == ["secret.py"]


def test_gitignore_trailing_spaces_and_escapes(tree):
    git_init(tree)
    (tree / ".gitignore").write_text("a.py   \n\\#hash.py\n\\!bang.py\nsp\\ .py\n")
    touch(tree, "a.py", "#hash.py", "!bang.py", "sp .py", "kept.py")
    assert rel(discover([tree], settings(tree)), tree) == ["kept.py"]


def test_gitignore_in_git_worktree_file(tree):
    (tree / ".git").write_text("gitdir: /somewhere/else\n")  # worktrees and submodules
    (tree / ".gitignore").write_text("x.py\n")
    touch(tree, "sub/x.py", "sub/y.py")
    assert rel(discover([tree / "sub"], settings(tree)), tree) == ["sub/y.py"]


# Cross-check our matcher against git itself on a batch of patterns.
GIT_PATTERNS = """\
*.log.py
/top_only.py
build/
docs/**/gen_*.py
**/cache/*.py
a/**
!a/keep.py
[abc]_x.py
q?.py
nested/dir/file.py
*/mid.py
"""
GIT_PATHS = [
    "x.log.py",
    "sub/y.log.py",
    "top_only.py",
    "sub/top_only.py",
    "build/b.py",
    "sub/build/b.py",
    "docs/gen_a.py",
    "docs/x/y/gen_b.py",
    "docs/x/other.py",
    "cache/c.py",
    "sub/cache/c.py",
    "a/keep.py",
    "a/z.py",
    "b_x.py",
    "d_x.py",
    "q1.py",
    "q12.py",
    "nested/dir/file.py",
    "other/nested/dir/file.py",
    "one/mid.py",
    "one/two/mid.py",
    "mid.py",
    "plain.py",
]


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_matches_git_check_ignore(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text(GIT_PATTERNS)
    touch(repo, *GIT_PATHS)
    monkeypatch.chdir(repo)
    proc = subprocess.run(
        ["git", "-c", "core.excludesFile=/dev/null", "ls-files", "--others", "--exclude-standard"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    git_kept = sorted(p for p in proc.stdout.splitlines() if p.endswith(".py"))
    ours = rel(discover([repo], settings(repo)), repo)
    assert ours == git_kept


def test_parse_gitignore_rules():
    parsed = _parse_gitignore("# c\n\n!keep\nlogs/\n/abs\nx/y\n   \n", Path("/r"))
    assert [(r.negate, r.dir_only) for r in parsed.rules] == [
        (True, False),
        (False, True),
        (False, False),
        (False, False),
    ]
    assert parsed.base == "/r"


def test_gitignore_object_direct(tmp_path):
    (tmp_path / ".gitignore").write_text("*.tmp.py\n")
    gi = GitIgnore(tmp_path)
    gi.enter(tmp_path)
    assert gi.is_ignored(tmp_path / "a.tmp.py", is_dir=False)
    assert not gi.is_ignored(tmp_path / "a.py", is_dir=False)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_nested_gitignores_match_git(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("*.gen.py\nvendor/*\n!vendor/ours/\nfoo/*\n[]]x.py\n")
    touch(
        repo,
        "a.gen.py",
        "pkg/b.gen.py",
        "pkg/keep.gen.py",
        "pkg/sub/c.py",
        "pkg/sub/d.py",
        "vendor/theirs/t.py",
        "vendor/ours/o.py",
        "foo/f.py",
        "foo/deeper/f.py",
        "pkg/foo/f.py",
        "]x.py",
        "pkg/anchored.py",
        "pkg/sub/anchored.py",
    )
    (repo / "pkg" / ".gitignore").write_text("!keep.gen.py\n/anchored.py\nsub/d.py\n")
    (repo / "pkg" / "sub" / ".gitignore").write_text("c.py\n")
    monkeypatch.chdir(repo)
    proc = subprocess.run(
        ["git", "-c", "core.excludesFile=/dev/null", "ls-files", "--others", "--exclude-standard"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    git_kept = sorted(p for p in proc.stdout.splitlines() if p.endswith(".py"))
    assert rel(discover([repo], settings(repo)), repo) == git_kept
    assert "vendor/ours/o.py" in git_kept and "pkg/keep.gen.py" in git_kept


def test_appledouble_companions_skipped_in_a_walk_but_read_when_named(tree):
    # `._model.py`: macOS resource-fork metadata committed beside `model.py` (binary, NUL bytes); a walk that
    # took it would end every whole-tree run with exit 2. Named on the command line it is still read.
    touch(tree, "net/model.py", "net/._model.py", "._notes.ipynb")
    (tree / "net/._model.py").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    assert rel(discover([tree], settings(tree)), tree) == ["net/model.py"]
    assert rel(discover([tree / "net/._model.py"], settings(tree)), tree) == ["net/._model.py"]
