"""The git index reader (git_index.py) and discovery of tracked files a .gitignore rule matches."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from slimlint.config import Settings
from slimlint.discovery import discover
from slimlint.git_index import _parse, tracked_paths


def _entry(path: bytes, version: int, previous: bytes = b"", extended: bool = False) -> bytes:
    """One index entry as git writes it (zeros for the stat data and the object name)."""
    flags = min(len(path), 0xFFF) | (0x4000 if extended else 0)
    fixed = bytes(60) + flags.to_bytes(2, "big") + (bytes(2) if extended else b"")
    if version == 4:
        common = 0
        while common < min(len(path), len(previous)) and path[common] == previous[common]:
            common += 1
        dropped = len(previous) - common
        assert dropped < 0x80  # one varint byte is enough for these tests
        return fixed + bytes([dropped]) + path[common:] + b"\0"
    body = fixed + path
    return body + b"\0" * (8 - len(body) % 8)  # NUL-terminated, padded to 8 bytes


def _index(paths, version: int, extended=()) -> bytes:
    out = b"DIRC" + version.to_bytes(4, "big") + len(paths).to_bytes(4, "big")
    previous = b""
    for path in paths:
        out += _entry(path, version, previous, path in extended)
        previous = path
    return out + bytes(20)  # the trailing checksum is not read


@pytest.mark.parametrize("version", [2, 3, 4])
def test_reads_every_version(version):
    paths = [b"README.md", b"models/model.py", b"models/nets/resnet.py", b"train.py"]
    extended = {b"models/model.py"} if version == 3 else set()
    assert _parse(_index(paths, version, extended)) == {p.decode() for p in paths}


def test_path_of_exactly_eight_byte_multiple_gets_a_full_padding_block():
    # 62 + 2 = 64: the NUL needs a whole block of 8 after it
    paths = [b"ab", b"abcdefgh.py"]
    assert _parse(_index(paths, 2)) == {"ab", "abcdefgh.py"}


def test_not_an_index(tmp_path):
    assert _parse(b"not an index at all") is None
    assert _parse(b"DIRC" + (5).to_bytes(4, "big") + (0).to_bytes(4, "big")) is None  # unknown version
    damaged = tmp_path / "index"
    damaged.write_bytes(_index([b"a.py", b"b.py"], 2)[:70])
    assert tracked_paths(damaged) is None
    assert tracked_paths(tmp_path / "missing") is None


def test_tracked_file_under_an_ignored_name_is_walked(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".gitignore").write_text("models/\n**/model.*\nbuild/\n")
    for name in ("models/net.py", "model.py", "build/junk.py", "train.py", "models/untracked.py"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("")
    (repo / ".git" / "index").write_bytes(_index([b".gitignore", b"model.py", b"models/net.py", b"train.py"], 2))
    found = [p.relative_to(repo.resolve()).as_posix() for p in discover([repo], Settings(root=repo)).files]
    # tracked files are linted whatever .gitignore says; untracked ones under its rules are not
    assert found == ["model.py", "models/net.py", "train.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("version", ["2", "4"])
def test_agrees_with_git(tmp_path, version):
    repo = tmp_path / "repo"
    repo.mkdir()
    names = ["a.py", "model.py", "deep/er/still/x.py", "nets/resnet_v1.py", "nets/resnet_v1_test.py", "z" * 40 + ".py"]
    for name in names:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("")
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True, capture_output=True)
    subprocess.run([*git, "add", *names], check=True, capture_output=True)
    subprocess.run([*git, "update-index", "--index-version", version], check=True, capture_output=True)
    listed = subprocess.run([*git, "ls-files"], check=True, capture_output=True, text=True).stdout.split()
    assert tracked_paths(repo / ".git" / "index") == set(listed) == set(names)
