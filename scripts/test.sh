#!/usr/bin/env bash
# Install everything the test suite needs (Debian packages when run as root, a virtualenv with the
# package and its test extras) and run the whole suite. Used by the README and by CI.
# The browser tests drive Debian's Chromium through Playwright (no browser is ever downloaded); they
# fail when Chromium is missing unless KG_SKIP_BROWSER=1.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages for the tools the tests drive, each installed only when its command is missing:
# chromium and fonts-noto-cjk (browser tests, Chinese screenshots), rapper (raptor2-utils) and roqet
# (rasqal-utils) for the RDF interoperability tests.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  missing+=(fonts-noto-cjk)
fi
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
command -v roqet >/dev/null 2>&1 || missing+=(rasqal-utils)
if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
exec .venv/bin/python -m pytest "$@"
