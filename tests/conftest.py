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
