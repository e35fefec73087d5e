#!/usr/bin/env bash
# Figures for the notes: full training time (`make retrain`), then intent accuracy and
# service entity F1 on the held-out set. Usage: bench/train_time.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
start=$(date +%s%N)
scripts/train.sh --force >/dev/null
train_ms=$(( ($(date +%s%N) - start) / 1000000 ))
out=var/bench/nlu; rm -rf "$out"; mkdir -p var/bench
.venv-rasa/bin/rasa test nlu --nlu tests/nlu/test_nlu.yml --model models/layanan-aduan.tar.gz \
  --out "$out" > var/bench/nlu.log 2>&1
# A second held-out set, written later by someone who saw neither the training data nor
# the first held-out set's errors: the cleanest estimate of generalisation.
.venv-rasa/bin/rasa test nlu --nlu bench/nlu_fresh.yml --model models/layanan-aduan.tar.gz \
  --out "$out/fresh" > var/bench/nlu_fresh.log 2>&1
.venv/bin/python - "$train_ms" "$out" <<'PY'
import json, sys
train_ms, out = int(sys.argv[1]), sys.argv[2]
intent = json.load(open(f"{out}/intent_report.json"))
entity = json.load(open(f"{out}/RegexEntityExtractor_report.json"))
print(f"full training (rasa train, NLU + core): {train_ms / 1000:.1f} s")
print(f"held-out intent accuracy: {intent['accuracy']:.3f} (macro F1 {intent['macro avg']['f1-score']:.3f})")
print(f"held-out service entity F1: {entity['service']['f1-score']:.3f}")
fresh = json.load(open(f"{out}/fresh/intent_report.json"))
fresh_entity = json.load(open(f"{out}/fresh/RegexEntityExtractor_report.json"))
print(
    f"fresh held-out set (bench/nlu_fresh.yml): intent accuracy {fresh['accuracy']:.3f}, "
    f"service entity F1 {fresh_entity['service']['f1-score']:.3f}"
)
PY
