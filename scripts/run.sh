#!/usr/bin/env bash
# Starts the service (Procfile, through honcho) and tells the person how to talk to it.
# Without TELEGRAM_BOT_TOKEN a local Telegram Bot API server stands in for Telegram and
# serves a chat page in the browser. Rasa's HTTP API always needs a token: RASA_AUTH_TOKEN,
# or in development one generated for this run (every process started here uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/dev-env.sh

cat <<MSG
==> Layanan Aduan is starting (ready in about 20 s, when Rasa says "Rasa server is up and running")
    $chat
    Terminal chat straight to Rasa: make chat (in another terminal)
    Rasa server (REST channel)  http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook
    Rasa HTTP API token         $rasa_token
    Action server               http://127.0.0.1:$ACTION_SERVER_PORT/health
    Telegram front end health   http://127.0.0.1:$FRONTEND_PORT/healthz
    Officer console             http://127.0.0.1:$CONSOLE_PORT/
      (first account: .venv/bin/python -m bot officer create --username admin --role admin)
    Database                    ${DATABASE_URL:-sqlite:///var/layanan.db}
    Stop with Ctrl-C.
MSG
exec .venv/bin/honcho -f "$procfile" start
