# syntax=docker/dockerfile:1
# Our code (.venv, requirements/app.txt): the Telegram front end, the action server, the
# officer console and the migrations, each started as `python -m bot <command>` from /app
# (the project root, as `make run` starts them). Targets:
#   app      (the default) our code and .venv only
#   console  app + the Rasa engine (.venv-rasa, requirements/rasa.txt): trainings started in
#            the console, `python -m bot model train`, `python -m bot nlu report`
# NOT BUILT on the project's machines (no Docker there); docs/deployment.md, compose.yaml.
ARG PYTHON_IMAGE=python:3.10-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# The venvs are built at the paths they run from (their scripts name them).
FROM build AS app-venv
COPY requirements/app.txt requirements/app.txt
RUN python -m venv .venv \
 && .venv/bin/python -m pip install --upgrade "pip<27" wheel \
 && .venv/bin/python -m pip install -r requirements/app.txt

FROM build AS rasa-venv
COPY requirements/rasa.txt requirements/rasa.txt
RUN python -m venv .venv-rasa \
 && .venv-rasa/bin/python -m pip install --upgrade "pip<27" wheel \
 && .venv-rasa/bin/python -m pip install -r requirements/rasa.txt

FROM ${PYTHON_IMAGE} AS base
# One uid for every image of the service, so shared volumes (models, var) agree.
RUN groupadd --system --gid 10001 aduan \
 && useradd --system --uid 10001 --gid aduan --create-home --home-dir /home/aduan aduan
WORKDIR /app
# As scripts/dev-env.sh sets them for `make run`.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app \
    RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    PTB_TIMEDELTA=1
COPY --from=app-venv /app/.venv /app/.venv
# What the processes read at run time: code, migrations, templates, the catalogue and the
# Rasa data, and the held-out sets the model lifecycle evaluates on (bot/training/heldout.py,
# bot/category_eval.py).
COPY pyproject.toml alembic.ini config.yml domain.yml ./
COPY bot/ bot/
COPY actions/ actions/
COPY data/ data/
COPY tests/nlu/*.yml tests/nlu/
COPY tests/categories/heldout.yml tests/categories/
COPY bench/nlu_fresh.yml bench/
# Written at run time: VAR_DIR and the models folder (volumes in compose.yaml), data/ by
# the trainers' exports (docs/deployment.md, "Upgrading").
RUN mkdir -p var models \
 && chown -R aduan:aduan var models data

FROM base AS console
COPY --from=rasa-venv /app/.venv-rasa /app/.venv-rasa
USER aduan
EXPOSE 8080
CMD [".venv/bin/python", "-m", "bot", "console"]

FROM base AS app
USER aduan
EXPOSE 5055 8090
CMD [".venv/bin/python", "-m", "bot", "telegram"]
