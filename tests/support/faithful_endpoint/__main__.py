"""python tests/support/faithful_endpoint [-H 127.0.0.1] [-p PORT]  (or python -m tests.support.faithful_endpoint)"""
import os
import sys

if not __package__:  # run as a path: make the checkout importable
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))

from tests.support.faithful_endpoint.app import main  # noqa: E402  pylint: disable=wrong-import-position

main()
