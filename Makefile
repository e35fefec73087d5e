# Layanan Aduan. The two commands a newcomer needs: `make run` and `make test`.
# Both install whatever is missing first (and skip it in seconds when nothing changed).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
RASA_VENV := .venv-rasa
PY        := $(VENV)/bin/python
RASA      := $(RASA_VENV)/bin/rasa
# The model is trained from config.yml, domain.yml and every file under data/rasa/ (NLU,
# synonyms and lookups, stories, rules): add a file there and training, validation and the
# tests pick it up. Nothing else goes there. `make train` skips training while none of them
# changed (bot/training/rasa_engine.py: Workspace, inputs_hash).
MODEL     := models/layanan-aduan.tar.gz

# Ports and the URLs derived from them come from scripts/dev-env.sh (the environment, then
# .env, then defaults), which the targets that start or talk to the running service source;
# `python -m bot` finds the running Rasa (RASA_PORT, the development token) by itself.
# Rasa 3.6 prints a telemetry banner and SQLAlchemy 1.4 warnings; keep logs readable.
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help install run test train retrain load-model lint format typecheck validate test-unit \
        test-nlu test-stories test-conversations seed import-catalogue migrate nlu-export nlu-report health chat shell bench bench-pipelines clean lock

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

install: ## Create .venv-rasa and .venv from the pinned requirements (skipped when unchanged)
	@scripts/ensure-venvs.sh

train: install ## Train the Rasa model unless data, domain and config are unchanged; a running make run serves it at once
	@$(PY) -m bot model train

retrain: install ## Train the Rasa model even if nothing changed
	@$(PY) -m bot model train --force

load-model: install ## Load models/layanan-aduan.tar.gz into the running Rasa server (no restart)
	@$(PY) -m bot model load

run: install train ## Start the whole service on the embedded defaults (SQLite under var/)
	@$(PY) -m bot migrate --seed-if-empty >/dev/null
	@scripts/run.sh

test: install train ## Run every check: lint, types, data validation, unit, NLU gate, stories, e2e
	@scripts/test.sh

lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check bot actions devtools tests bench
	$(VENV)/bin/ruff format --check bot actions devtools tests bench

format: install ## Apply ruff formatting and safe fixes
	$(VENV)/bin/ruff check --fix bot actions devtools tests bench
	$(VENV)/bin/ruff format bot actions devtools tests bench

typecheck: install ## mypy on bot/, actions/ and devtools/
	$(VENV)/bin/mypy

validate: install ## rasa data validate --fail-on-warnings; fails on any warning but the expected ones
	$(PY) -m devtools.validate_data

test-unit: install ## pytest only, without lint, types and data validation
	$(PY) -m pytest -q

test-nlu: install train ## Evaluate the NLU on the held-out set (reports under var/reports/nlu)
	$(PY) -m pytest -q tests/nlu

test-stories: install train ## Rasa test stories with --fail-on-prediction-errors
	$(PY) -m pytest -q tests/test_rasa_stories.py

test-conversations: install train ## Citizens' conversations end to end (report: var/reports/conversations.json)
	$(PY) -m pytest -q tests/conversations

migrate: install ## Apply database migrations to DATABASE_URL
	$(PY) -m bot migrate

seed: install ## Insert what data/services.yml adds (new services, offices, aliases); keeps console edits
	$(PY) -m bot seed

import-catalogue: install ## Replace the database's catalogue with data/services.yml (diff, confirm; YES=1 skips asking)
	$(PY) -m bot catalogue import $(if $(YES),--yes)

chat: install ## Chat with the running service in the terminal (start `make run` first)
	@source scripts/dev-env.sh && $(PY) -m devtools.chat --url "$$RASA_URL"

shell: install train ## Rasa's own `rasa shell` on port 5006 (needs the action server of `make run`)
	@source scripts/dev-env.sh && $(RASA) shell --model $(MODEL) --endpoints endpoints.yml --port 5006

bench: install ## Print full and NLU-only training times (temp dir) and held-out accuracy and entity F1
	bench/train.sh

bench-pipelines: install ## Compare NLU pipelines (bench/pipelines/*.yml): time, accuracy, F1
	bench/compare_pipelines.sh

nlu-export: install ## Add reviewed inbox examples to data/rasa/reviewed.yml (DRY_RUN=1: show only)
	$(PY) -m bot nlu export $(if $(DRY_RUN),--dry-run)

nlu-report: install ## 5-fold cross-validation + every held-out set: var/reports/nlu-report/latest/summary.html of the served model (FOLDS=n, SKIP_CV=1)
	$(PY) -m bot nlu report $(if $(FOLDS),--folds $(FOLDS)) $(if $(SKIP_CV),--skip-cv)

health: install ## Check that Telegram, Rasa, the action server and the database answer
	@source scripts/dev-env.sh && $(PY) -m bot health

lock: ## Regenerate the pinned lock files from requirements/*.in
	scripts/lock.sh

clean: ## Remove models, reports and local databases (keeps the venvs)
	rm -rf models var/reports var/*.db var/*.db-* .pytest_cache .mypy_cache .ruff_cache
