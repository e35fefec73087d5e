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
# The folders that kill no process on a timetable run first on 2 workers (pytest-xdist, a
# file per worker: each keeps its own databases, ports and Rasa servers): the CPU-bound
# console and store tests and the trainers' (which train models), ~660 s one after another
# in CI, 512 s on 2 workers (2 cores). The rest, the fault, production-profile, Telegram and
# end-to-end suites whose checks race a clock, run one at a time after them.
PARALLEL=(tests/officer tests/store tests/actions tests/tickets tests/handoff tests/skm tests/categories tests/training)
echo "==> pytest, the folders that race no clock, on ${PYTEST_WORKERS:-2} workers"
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "${PARALLEL[@]}" "$@"
echo "==> pytest, the rest"
.venv/bin/python -m pytest "${PARALLEL[@]/#/--ignore=}" "$@"
echo "==> all checks passed in $(( $(date +%s) - start )) s (reports in var/reports/)"
