#!/usr/bin/env bash
# Trains models/layanan-aduan.tar.gz from config.yml, domain.yml and every file under
# data/rasa/. Skips training when none of them changed since the last training (a stamp
# holds their hash, file names included); --force retrains.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
DATA=data/rasa
MODEL=models/layanan-aduan.tar.gz
STAMP=models/.layanan-aduan.inputs
want=$( { sha256sum config.yml domain.yml; find "$DATA" -type f -print0 | LC_ALL=C sort -z \
  | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)
if [ "${1:-}" != "--force" ] && [ -f "$MODEL" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "==> model is up to date ($MODEL)"
  exit 0
fi
mkdir -p models var
echo "==> training the Rasa model (70–80 s on 2 cores; log in var/train.log)"
start=$(date +%s)
if ! .venv-rasa/bin/rasa train --data "$DATA" --config config.yml --domain domain.yml \
     --out models --fixed-model-name layanan-aduan --force > var/train.log 2>&1; then
  tail -n 40 var/train.log
  echo "error: training failed; full log in var/train.log" >&2
  exit 1
fi
echo "$want" > "$STAMP"
echo "==> trained $MODEL in $(( $(date +%s) - start )) s"
# A running `make run` serves the new model at once (no restart); otherwise nothing to do.
(source scripts/dev-env.sh && .venv/bin/python -m bot model load --model "$MODEL" --if-running) || true
