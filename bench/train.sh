#!/usr/bin/env bash
# Training figures (`make bench`), all in a temporary folder: models/ is never written.
#   1. a full `rasa train` (NLU + dialogue policies) from nothing (an empty cache);
#   2. an NLU-only retrain: one new example added to a copy of data/rasa, `rasa train`
#      again with the cache of (1), so only the NLU is trained again, as after a trainer's
#      export; and `rasa train nlu` (the NLU model alone);
#   3. the held-out intent accuracy and service entity F1 of the model of (1) on
#      tests/nlu/test_nlu.yml and bench/nlu_fresh.yml.
# Prints each time with the 1-minute load average (the figures mean little on a busy
# machine). Usage: bench/train.sh [--no-eval]
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-train.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export RASA_CACHE_DIRECTORY="$tmp/cache"  # not the project's .rasa/cache: no head start
RASA=.venv-rasa/bin/rasa
load() { cut -d' ' -f1 /proc/loadavg; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
timed() {  # timed <label> <log> <command...>: runs it, prints seconds and load
  local label=$1 log=$2; shift 2
  local before after start end
  before=$(load); start=$(now_ms)
  if ! "$@" > "$log" 2>&1; then tail -n 30 "$log"; echo "error: $label failed ($log)" >&2; exit 1; fi
  end=$(now_ms); after=$(load)
  printf '%-48s %6.1f s   (load %s -> %s)\n' "$label" "$(( end - start ))e-3" "$before" "$after"
}

cp -r data/rasa "$tmp/data"
timed "full rasa train (NLU + policies, empty cache)" "$tmp/full.log" \
  "$RASA" train --data "$tmp/data" --config config.yml --domain domain.yml \
  --out "$tmp/models" --fixed-model-name full
cat > "$tmp/data/bench_extra.yml" <<'YML'
version: "3.1"
nlu:
- intent: ask_cost
  examples: |
    - kira-kira berapa ongkos ngurus [akta kelahiran](service) sekarang min
YML
timed "NLU-only retrain (one example added, cache)" "$tmp/retrain.log" \
  "$RASA" train --data "$tmp/data" --config config.yml --domain domain.yml \
  --out "$tmp/models" --fixed-model-name retrained
grep -E "Restored|Starting to train component" "$tmp/retrain.log" | sed 's/^.* - //' \
  | sort | uniq -c | sed 's/^/    /' | head -12 || true
timed "rasa train nlu (the NLU model alone)" "$tmp/nlu.log" \
  "$RASA" train nlu --nlu "$tmp/data" --config config.yml --out "$tmp/models" \
  --fixed-model-name nlu

[ "${1:-}" = "--no-eval" ] && exit 0
out=$tmp/eval
"$RASA" test nlu --nlu tests/nlu/test_nlu.yml --model "$tmp/models/full.tar.gz" \
  --out "$out" > "$tmp/eval.log" 2>&1
# A second held-out set, written later by someone who saw neither the training data nor
# the first held-out set's errors: the cleanest estimate of generalisation.
"$RASA" test nlu --nlu bench/nlu_fresh.yml --model "$tmp/models/full.tar.gz" \
  --out "$out/fresh" > "$tmp/eval_fresh.log" 2>&1
.venv/bin/python - "$out" <<'PY'
import json, sys
out = sys.argv[1]
for name, folder in (("tests/nlu/test_nlu.yml", out), ("bench/nlu_fresh.yml", f"{out}/fresh")):
    intent = json.load(open(f"{folder}/intent_report.json"))
    entity = json.load(open(f"{folder}/RegexEntityExtractor_report.json"))
    print(
        f"held-out {name}: intent accuracy {intent['accuracy']:.3f}"
        f" (macro F1 {intent['macro avg']['f1-score']:.3f}),"
        f" service entity F1 {entity['service']['f1-score']:.3f}"
    )
PY
