#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the web dashboard's browser tests (tests/Scm.Samples.Web.Tests drive it
# with Playwright as the browser executable; Playwright's own browser download is never used). Installs the package when
# /usr/bin/chromium is absent, checks that it starts headless, and exports SCM_TEST_CHROMIUM for the tests, which fail
# rather than skip without it in CI. Quick when the browser is already there. Runs outside CI too (then only installs
# and checks; export SCM_TEST_CHROMIUM=/usr/bin/chromium yourself, or leave it: the tests look there by default).
set -euo pipefail
chromium=${SCM_TEST_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
    || { echo "chromium not found at $chromium, and apt-get as root is not available to install it" >&2; exit 1; }
  echo "chromium is not installed: installing Debian's chromium package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends chromium >&2 \
    || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends chromium >&2; }
  [ -x "$chromium" ] || { echo "chromium is still missing at $chromium after the install" >&2; exit 1; }
fi

# It must start, headless, as root (hence --no-sandbox) and without a display: what the tests will ask of it.
profile=$(mktemp -d /tmp/scm-chromium-check.XXXXXX)
trap 'rm -rf "$profile"' EXIT
dom=$(timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
  --dump-dom 'data:text/html,<p id=ok>chromium-ok</p>' 2>/dev/null) || true
case "$dom" in
  *chromium-ok*) ;;
  *) echo "chromium at $chromium did not render a page headless" >&2; exit 1;;
esac

echo "$("$chromium" --version 2>/dev/null | head -n 1) at $chromium" >&2
line="SCM_TEST_CHROMIUM='$chromium'"
echo "$line"
if [ -n "${CI_ENV:-}" ]; then echo "$line" >> "$CI_ENV"; fi
