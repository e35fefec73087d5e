#!/usr/bin/env bash
# Every check, in order of speed: lint, types, Rasa data validation, then pytest (store on
# SQLite and PostgreSQL, actions, the NLU gate on the held-out set, Rasa test stories and
# the end-to-end conversation through real Rasa and action servers).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:5055/webhook}
start=$(date +%s)

echo "==> ruff"
.venv/bin/ruff check bot actions devtools tests bench
.venv/bin/ruff format --check bot actions devtools tests bench
echo "==> mypy"
.venv/bin/mypy
echo "==> rasa data validate"
.venv/bin/python -m devtools.validate_data
scripts/audit.sh  # pip-audit on .venv and .venv-rasa (requirements/audit-exceptions.txt)
echo "==> chromium for the browser tests"
scripts/ensure-chromium.sh || { [ "${CI:-}" = "true" ] && exit 1; true; }
echo "==> haproxy for the production profile's tests"
scripts/ensure-proxy.sh || { [ "${CI:-}" = "true" ] && exit 1; true; }
echo "==> pytest"
.venv/bin/python -m pytest "$@"
echo "==> all checks passed in $(( $(date +%s) - start )) s (reports in var/reports/)"
