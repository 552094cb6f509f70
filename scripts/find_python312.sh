#!/bin/sh
# Print the path of a Python 3.12 interpreter: python3.12 on PATH, else pyenv's, else fail.
if command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' >/dev/null 2>&1; then
  command -v python3.12
  exit 0
fi
if command -v pyenv >/dev/null 2>&1; then
  for candidate in "$(pyenv root)"/versions/3.12*/bin/python3.12; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      exit 0
    fi
  done
fi
echo "error: Python 3.12 not found (ansible 14 needs >= 3.12): put python3.12 on PATH or install it with pyenv" >&2
exit 1
