"""Fixtures of the faithful endpoint's tests: one endpoint process per test module (``url``), reset before each test
(``aws``: an ``Account`` on it); boto3 talks to it as the collection does."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
from tests.unit.support.endpoint_account import Account, start  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    yield from start(tmp_path_factory)


@pytest.fixture
def aws(url):
    return Account(url)
