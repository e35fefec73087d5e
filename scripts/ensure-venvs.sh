#!/usr/bin/env bash
# Creates or updates .venv-rasa (the Rasa engine) and .venv (our code) from the pinned
# requirement files. Skips all work when the pins have not changed: each venv keeps a
# stamp file holding the hash of what it was built from.
set -euo pipefail
cd "$(dirname "$0")/.."

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

ensure() {  # ensure VENV STAMP_HASH INSTALL_CMD...
  local venv=$1 want=$2; shift 2
  local stamp="$venv/.installed"
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  local py
  py=$(scripts/find-python310.sh)
  if [ ! -x "$venv/bin/python" ]; then
    echo "==> creating $venv with $py"
    "$py" -m venv "$venv"
  fi
  echo "==> installing pinned requirements into $venv (first run takes a few minutes)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip<27" wheel
  "$@"
  echo "$want" > "$stamp"
}

ensure .venv-rasa "$(hash_of requirements/rasa.txt)" \
  .venv-rasa/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/rasa.txt

ensure .venv "$(hash_of requirements/app.txt pyproject.toml)" \
  sh -c '.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/app.txt && .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .'
