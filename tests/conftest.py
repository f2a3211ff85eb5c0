"""Test-wide settings."""

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache_secret(tmp_path_factory):
    """The secret that seals cache entries lives in the user's cache folder: the tests (and the slimlint
    processes they start) use one of their own instead of the real user's."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user_cache"))
    os.environ.pop("SLIMLINT_CACHE_SECRET", None)
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


def pytest_collection_modifyitems(items):
    """Files with slow tests run first: with one file per worker (`--dist loadfile`) a long file scheduled last
    runs alone at the end while the other workers idle. The sort is stable, so order within a file is kept."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: item.path not in slow_files)
