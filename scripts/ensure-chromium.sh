#!/usr/bin/env bash
# Makes Debian's chromium available for the officer console's browser tests (Playwright
# drives it through executable_path; Playwright's own browser download is never used).
# Idempotent: does nothing when /usr/bin/chromium exists. Installs with apt when running as
# root; otherwise says what to do (the browser tests then skip, except with CI=true).
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing chromium (Debian package) for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "==> chromium not found at $CHROMIUM and not root: browser tests will be skipped" \
  "(install it with: sudo apt-get install chromium)"
