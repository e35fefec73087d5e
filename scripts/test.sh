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
# The folders that start no Rasa server run first on 2 workers (pytest-xdist, a file per
# worker: each keeps its own databases and ports): CPU-bound console and store tests, 479 s
# one after another, 304 s on 2 workers (2 cores). The rest, which start Rasa stacks and
# kill processes on a timetable, run one at a time after them.
PARALLEL=(tests/officer tests/store tests/actions tests/tickets tests/handoff tests/skm tests/categories)
echo "==> pytest, the folders without Rasa on ${PYTEST_WORKERS:-2} workers"
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "${PARALLEL[@]}" "$@"
echo "==> pytest, the rest"
.venv/bin/python -m pytest "${PARALLEL[@]/#/--ignore=}" "$@"
echo "==> all checks passed in $(( $(date +%s) - start )) s (reports in var/reports/)"
