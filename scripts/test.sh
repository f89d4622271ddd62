#!/usr/bin/env bash
# Install everything the test suite needs (Debian packages when run as root, a virtualenv with the
# package and its test extras) and run the whole suite. Used by the README and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian packages: chromium (browser tests), fonts-noto-cjk (Chinese screenshots)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
exec .venv/bin/python -m pytest "$@"
