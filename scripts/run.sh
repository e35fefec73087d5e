#!/usr/bin/env bash
# Starts the service (Procfile, through honcho) and tells the person how to talk to it.
set -euo pipefail
cd "$(dirname "$0")/.."
set -a; [ -f .env ] && . ./.env; set +a
export RASA_PORT=${RASA_PORT:-5005} ACTION_SERVER_PORT=${ACTION_SERVER_PORT:-5055}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_SERVER_PORT/webhook}
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
cat <<MSG
==> Layanan Aduan is starting
    Rasa server (REST channel)  http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook
    Action server               http://127.0.0.1:$ACTION_SERVER_PORT/health
    Database                    ${DATABASE_URL:-sqlite:///var/layanan.db}
    Chat in the terminal, once Rasa says "Rasa server is up and running" (about 20 s):
        make chat        (in another terminal)
    Stop with Ctrl-C.
MSG
exec .venv/bin/honcho -f Procfile start
