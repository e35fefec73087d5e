#!/usr/bin/env bash
# Prints the path of a working Python 3.10 interpreter, or fails with one line
# saying what to install. Order: python3.10 on PATH, pyenv, uv (managed download).
set -u
works() { "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }

if command -v python3.10 >/dev/null 2>&1 && works python3.10; then
  python3.10 -c 'import sys; print(sys.executable)'; exit 0
fi
if command -v pyenv >/dev/null 2>&1; then
  for p in $(ls -d "$(pyenv root)"/versions/3.10.*/bin/python 2>/dev/null | sort -V -r); do
    if works "$p"; then echo "$p"; exit 0; fi
  done
fi
if command -v uv >/dev/null 2>&1; then
  if p=$(uv python find 3.10 2>/dev/null) && works "$p"; then echo "$p"; exit 0; fi
  if uv python install 3.10 >&2 && p=$(uv python find 3.10 2>/dev/null) && works "$p"; then
    echo "$p"; exit 0
  fi
fi
echo "error: Python 3.10 not found: install python3.10 (apt/deadsnakes), or pyenv ('pyenv install 3.10'), or uv ('curl -LsSf https://astral.sh/uv/install.sh | sh')" >&2
exit 1
