#!/usr/bin/env bash
# Regenerates requirements/*.txt (full pinned locks) from requirements/*.in in scratch venvs.
set -euo pipefail
cd "$(dirname "$0")/.."
py=$(scripts/find-python310.sh)
for name in rasa app; do
  tmp=$(mktemp -d)
  "$py" -m venv "$tmp"
  "$tmp/bin/pip" install --quiet --upgrade pip
  "$tmp/bin/pip" install --quiet -r "requirements/$name.in"
  { echo "# Full lock of requirements/$name.in (Python 3.10). Regenerate with 'make lock'."
    "$tmp/bin/pip" freeze | grep -v '^-e'; } > "requirements/$name.txt"
  rm -rf "$tmp"
  echo "wrote requirements/$name.txt"
done
