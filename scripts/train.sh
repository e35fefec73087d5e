#!/usr/bin/env bash
# Trains models/layanan-aduan.tar.gz. Skips training when config, domain and training
# data are unchanged since the last training (a stamp holds their hash); --force retrains.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
DATA=(data/nlu.yml data/nlu_entities.yml data/stories.yml data/rules.yml)
MODEL=models/layanan-aduan.tar.gz
STAMP=models/.layanan-aduan.inputs
want=$(cat config.yml domain.yml "${DATA[@]}" | sha256sum | cut -d' ' -f1)
if [ "${1:-}" != "--force" ] && [ -f "$MODEL" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "==> model is up to date ($MODEL)"
  exit 0
fi
mkdir -p models var
echo "==> training the Rasa model (about 2 minutes; log in var/train.log)"
start=$(date +%s)
if ! .venv-rasa/bin/rasa train --data "${DATA[@]}" --config config.yml --domain domain.yml \
     --out models --fixed-model-name layanan-aduan --force > var/train.log 2>&1; then
  tail -n 40 var/train.log
  echo "error: training failed; full log in var/train.log" >&2
  exit 1
fi
echo "$want" > "$STAMP"
echo "==> trained $MODEL in $(( $(date +%s) - start )) s"
