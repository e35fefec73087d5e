#!/usr/bin/env bash
# Makes Debian's haproxy available for the production profile (`make run PROFILE=production`
# and its tests): the reverse proxy in front of the Rasa replicas and the action servers.
# Idempotent: does nothing when haproxy is on PATH (or HAPROXY_PATH). Installs it with apt
# when running as root; otherwise says what to do (the production-profile tests then skip,
# except with CI=true). The package's own service is never used: the profile runs haproxy in
# the foreground with deploy/haproxy.cfg, and the package's default configuration has no
# listener, so a service started by the installation holds no port.
set -euo pipefail
HAPROXY=${HAPROXY_PATH:-$(command -v haproxy || echo /usr/sbin/haproxy)}
if [ -x "$HAPROXY" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing haproxy (Debian package) for the production profile"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq haproxy >/dev/null
  exit 0
fi
echo "==> haproxy not found and not root: the production profile cannot start and its tests" \
  "will be skipped (install it with: sudo apt-get install haproxy)"
exit 1
