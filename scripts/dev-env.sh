# The environment of `make run`, sourced by scripts/run.sh and by the make targets that talk
# to the running service from another terminal (health, load-model, the load after
# `make train`), so they find the same ports, Rasa token and local Telegram stand-in.
# Sourced (not run): defines variables, prints nothing, returns non-zero on a refusal.
set -a; [ -f .env ] && . ./.env; set +a
# PROFILE=production (`make run PROFILE=production`): 2 Rasa servers, 2 action servers and
# 2 Telegram front ends in webhook mode behind haproxy, PostgreSQL for both stores, Redis for
# Rasa's locks. bot/production.py refuses an environment that lacks them (or holds a
# placeholder Rasa token; with TELEGRAM_BOT_TOKEN, one without TELEGRAM_WEBHOOK_URL and
# TELEGRAM_WEBHOOK_SECRET) and sets the replicas' ports, RASA_URLS, the lock store's variables
# and, for the local stand-in, the webhook's URL and secret; the defaults below keep them.
case "${PROFILE:-}" in
  "" | default) ;;
  production)
    profile_env=$(.venv/bin/python -m bot.production) || return 1
    eval "$profile_env"
    HAPROXY_PATH=${HAPROXY_PATH:-$(command -v haproxy || echo /usr/sbin/haproxy)}
    export HAPROXY_PATH PROFILE
    ;;
  *)
    echo "PROFILE must be empty (one process of each kind on SQLite) or production" >&2
    return 1
    ;;
esac
export RASA_PORT=${RASA_PORT:-5005} ACTION_SERVER_PORT=${ACTION_SERVER_PORT:-5055}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_SERVER_PORT/webhook}
export RASA_URL=${RASA_URL:-http://127.0.0.1:$RASA_PORT}
export RASA_TRACKER_URL=${RASA_TRACKER_URL:-sqlite:///var/rasa_tracker.db}
# Rasa's conversation locks (endpoints.yml): in memory for one Rasa server.
export RASA_LOCK_STORE=${RASA_LOCK_STORE:-in_memory} RASA_LOCK_STORE_HOST=${RASA_LOCK_STORE_HOST:-}
export RASA_LOCK_STORE_PORT=${RASA_LOCK_STORE_PORT:-} RASA_LOCK_STORE_DB=${RASA_LOCK_STORE_DB:-}
export RASA_LOCK_STORE_USERNAME=${RASA_LOCK_STORE_USERNAME:-}
export RASA_LOCK_STORE_PASSWORD=${RASA_LOCK_STORE_PASSWORD:-}
export RASA_LOCK_STORE_PREFIX=${RASA_LOCK_STORE_PREFIX:-}
export FRONTEND_PORT=${FRONTEND_PORT:-8090}
export CONSOLE_PORT=${CONSOLE_PORT:-8080}
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
export PTB_TIMEDELTA=1

if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  rasa_token="RASA_AUTH_TOKEN from the environment or .env"
elif [ "${APP_ENV:-development}" = production ]; then
  echo "RASA_AUTH_TOKEN must be set in production (the token of Rasa's HTTP API)" >&2
  return 1
else
  # Kept in var/ (owner-only) so `make train` and `make health` in another terminal reach
  # this Rasa server; development only.
  token_file=var/rasa_auth_token
  if [ ! -s "$token_file" ]; then
    mkdir -p var
    (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))' > "$token_file")
  fi
  RASA_AUTH_TOKEN=$(cat "$token_file")
  export RASA_AUTH_TOKEN
  rasa_token="generated for development, kept in $token_file
      (make train loads new models into this server with it; set RASA_AUTH_TOKEN to choose one)"
fi

procfile=Procfile
processes=""  # empty: every process of the Procfile
local_api=0
if [ -z "${TELEGRAM_BOT_TOKEN:-}" ]; then
  procfile=Procfile.local
  local_api=1
  export LOCAL_BOT_API_PORT=${LOCAL_BOT_API_PORT:-8081}
  export TELEGRAM_BOT_TOKEN=1000001:local-development-token
  export TELEGRAM_API_BASE_URL=http://127.0.0.1:$LOCAL_BOT_API_PORT/bot
  export TELEGRAM_API_FILE_URL=http://127.0.0.1:$LOCAL_BOT_API_PORT/file/bot
  chat="Chat in the browser (no Telegram needed): http://127.0.0.1:$LOCAL_BOT_API_PORT/chat
    (TELEGRAM_BOT_TOKEN is not set, so a local Telegram Bot API server stands in for Telegram)"
else
  chat="Chat with your bot on Telegram (TELEGRAM_BOT_TOKEN is set)"
fi
if [ "${PROFILE:-}" = production ]; then
  procfile=Procfile.production
  if [ "$local_api" = 0 ]; then
    processes="proxy rasa1 rasa2 actions1 actions2 console telegram1 telegram2"
  fi
fi
