#!/usr/bin/env bash
# Starts the service (Procfile, through honcho) and tells the person how to talk to it.
# Without TELEGRAM_BOT_TOKEN a local Telegram Bot API server stands in for Telegram and
# serves a chat page in the browser. Rasa's HTTP API always needs a token: RASA_AUTH_TOKEN,
# or in development one generated for this run (every process started here uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/dev-env.sh

if [ "${PROFILE:-}" = production ]; then
  scripts/ensure-proxy.sh
  cat <<MSG
==> Production profile (Procfile.production): haproxy in front of 2 Rasa servers
    (RASA_URLS=$RASA_URLS), 2 action servers (ports $ACTIONS_1_PORT, $ACTIONS_2_PORT)
    and 2 Telegram front ends in webhook mode (ports $FRONTEND_1_PORT, $FRONTEND_2_PORT,
    behind the proxy's port $FRONTEND_PORT; updates are posted to $TELEGRAM_WEBHOOK_URL);
    our store and Rasa's tracker store on PostgreSQL, Rasa's locks in Redis
    ($RASA_LOCK_STORE_HOST:$RASA_LOCK_STORE_PORT db $RASA_LOCK_STORE_DB).
    Proxy status http://127.0.0.1:${HAPROXY_STATS_PORT:-8404}/stats
MSG
fi
cat <<MSG
==> Layanan Aduan is starting (ready when Rasa says "Rasa server is up and running": about 20 s,
    with PROFILE=production about 90 s on 2 cores, as both replicas load the model)
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
# shellcheck disable=SC2086  # $processes: process names, or nothing for all of them
exec .venv/bin/honcho -f "$procfile" start $processes
