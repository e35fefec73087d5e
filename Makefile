# Layanan Aduan. The two commands a newcomer needs: `make run` and `make test`.
# Both install whatever is missing first (and skip it in seconds when nothing changed).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
RASA_VENV := .venv-rasa
PY        := $(VENV)/bin/python
RASA      := $(RASA_VENV)/bin/rasa
# Every file under data/rasa/ is training data (NLU, synonyms and lookups, stories, rules):
# add a file there and training, validation and the tests pick it up. Nothing else goes there.
RASA_DATA := data/rasa
MODEL     := models/layanan-aduan.tar.gz
# What the model is trained from (scripts/train.sh hashes every file of these to skip training).
MODEL_INPUTS := config.yml domain.yml $(RASA_DATA)

RASA_PORT          ?= 5005
ACTION_SERVER_PORT ?= 5055
export ACTION_SERVER_PORT
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_SERVER_PORT)/webhook
export RASA_TRACKER_URL ?= sqlite:///var/rasa_tracker.db
# Rasa 3.6 prints a telemetry banner and SQLAlchemy 1.4 warnings; keep logs readable.
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help install run test train retrain load-model lint format typecheck validate test-unit \
        test-nlu test-stories test-conversations seed import-catalogue migrate nlu-export health chat shell bench bench-pipelines clean lock

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

install: ## Create .venv-rasa and .venv from the pinned requirements (skipped when unchanged)
	@scripts/ensure-venvs.sh

train: install ## Train the Rasa model unless data, domain and config are unchanged
	@scripts/train.sh

retrain: install ## Train the Rasa model even if nothing changed
	@scripts/train.sh --force

load-model: install ## Load models/layanan-aduan.tar.gz into the running Rasa server (no restart)
	@source scripts/dev-env.sh && $(PY) -m bot model load

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

validate: install ## rasa data validate --fail-on-warnings
	$(RASA) data validate --fail-on-warnings --data $(RASA_DATA) --domain domain.yml --quiet

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
	@$(PY) -m devtools.chat --url http://127.0.0.1:$(RASA_PORT)

shell: install train ## Rasa's own `rasa shell` on port 5006 (needs the action server of `make run`)
	$(RASA) shell --model $(MODEL) --endpoints endpoints.yml --port 5006

bench: install ## Print full training time, held-out intent accuracy and entity F1
	bench/train_time.sh

bench-pipelines: install ## Compare NLU pipelines (bench/pipelines/*.yml): time, accuracy, F1
	bench/compare_pipelines.sh

nlu-export: install ## Add reviewed inbox examples to data/rasa/reviewed.yml (DRY_RUN=1: show only)
	$(PY) -m bot nlu export $(if $(DRY_RUN),--dry-run)

health: install ## Check that Telegram, Rasa, the action server and the database answer
	@source scripts/dev-env.sh && $(PY) -m bot health

lock: ## Regenerate the pinned lock files from requirements/*.in
	scripts/lock.sh

clean: ## Remove models, reports and local databases (keeps the venvs)
	rm -rf models var/reports var/*.db var/*.db-* .pytest_cache .mypy_cache .ruff_cache
