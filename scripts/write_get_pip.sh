#!/bin/sh
# ansible-test bootstraps pip by downloading get-pip from a host this network cannot reach.
# Put a stand-in in its cache: it installs the pip 25.2 wheel from PyPI the same way.
set -eu
cache="${HOME}/.ansible/test/cache"
mkdir -p "$cache"
wheel="$cache/pip-25.2-py3-none-any.whl"
if [ ! -f "$wheel" ]; then
  "$1" -m pip download --quiet --no-deps --only-binary=:all: --dest "$cache" pip==25.2
fi
cat > "$cache/get_pip_25_2.py" <<PY
import sys
WHEEL = "$wheel"
sys.path.insert(0, WHEEL)
args = [a for a in sys.argv[1:] if not a.startswith("pip==") and a not in ("--no-setuptools", "--no-wheel")]
sys.argv = ["pip", "install", WHEEL] + args
from pip._internal.cli.main import main
sys.exit(main())
PY
