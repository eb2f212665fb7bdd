#!/usr/bin/env bash
# Make sure the system programs the site needs exist; install them with apt-get
# when we can (root, or passwordless sudo), otherwise stop and say how.
#   dot       Graphviz, draws the autograd graphs (linreg.graphs)
#   browser   a Chromium or Chrome for the browser tests (only with --browser):
#             whatever tests/browsers.py finds ($LINREG_BROWSER, PATH, macOS apps,
#             Playwright's own); else apt's chromium on Debian, else Playwright's
#             download. Never Ubuntu's apt chromium: a snap stub that runners can't run.
# $PY is the venv's Python (the Makefile passes it).
set -euo pipefail

want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1
PY=${PY:-.venv/bin/python}

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
if (( want_browser )) && ! "$PY" tests/browsers.py >/dev/null 2>&1; then
  if grep -qsx 'ID=debian' /etc/os-release; then
    missing+=(chromium)
  elif ! "$PY" tests/browsers.py --install >/dev/null; then
    echo "No Chromium or Chrome found, and Playwright's could not be downloaded:" >&2
    "$PY" tests/browsers.py >&2 || true
    exit 1
  fi
fi
(( ${#missing[@]} == 0 )) && exit 0

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo="none"; fi
  if [ "$sudo" != "none" ]; then
    echo "Installing with apt-get: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
  fi
fi

cat >&2 <<MSG
Missing system package(s): ${missing[*]}
This project needs them but cannot install them here (no apt-get, or no root/sudo).
Install them yourself, then run make again:
  Debian/Ubuntu:  sudo apt-get install ${missing[*]}
  macOS:          brew install graphviz   (browser tests use Google Chrome or Chromium, or LINREG_BROWSER)
  conda:          conda install graphviz
MSG
exit 1
