#!/usr/bin/env bash
# Trains the NLU with each pipeline in bench/pipelines/ (or the ones given) and evaluates it
# on the held-out set. Prints NLU training time, intent accuracy and service entity F1.
# Usage: bench/compare_pipelines.sh [bench/pipelines/x.yml ...]
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
out=var/bench/pipelines; mkdir -p "$out"
configs=("$@"); [ ${#configs[@]} -gt 0 ] || configs=(bench/pipelines/*.yml)
printf "%-40s %10s %10s %10s\n" pipeline train_s intent_acc service_f1
for cfg in "${configs[@]}"; do
  name=$(basename "$cfg" .yml)
  start=$(date +%s%N)
  .venv-rasa/bin/rasa train nlu --config "$cfg" --nlu data/rasa \
    --out "$out/models" --fixed-model-name "$name" > "$out/$name.train.log" 2>&1
  secs=$(( ($(date +%s%N) - start) / 1000000 ))e-3
  .venv-rasa/bin/rasa test nlu --nlu tests/nlu/test_nlu.yml --model "$out/models/$name.tar.gz" \
    --out "$out/$name" > "$out/$name.test.log" 2>&1
  .venv/bin/python - "$name" "$secs" "$out/$name" <<'PY'
import json, sys
name, secs, folder = sys.argv[1], float(sys.argv[2]), sys.argv[3]
intent = json.load(open(f"{folder}/intent_report.json"))["accuracy"]
try:
    f1 = json.load(open(f"{folder}/RegexEntityExtractor_report.json"))["service"]["f1-score"]
except FileNotFoundError:
    f1 = float("nan")
print(f"{name:40s} {secs:10.1f} {intent:10.3f} {f1:10.3f}")
PY
done
