#!/usr/bin/env bash
# One entry point for a fresh machine: make the venv, install watcher, provide a browser and
# CJK fonts, then run what was asked:  bash setup.sh demo | bash setup.sh test [pytest args]
set -euo pipefail
cd "$(dirname "$0")"
say() { printf 'setup: %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq >/dev/null || return 1; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

PY=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY=$candidate; break
  fi
done
[ -n "$PY" ] || { say "Python 3.11 or newer is needed (Debian/Ubuntu: apt-get install python3 python3-venv)"; exit 1; }

if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    apt_install python3-venv || { say "cannot create a venv: install python3-venv"; exit 1; }
    rm -rf .venv; "$PY" -m venv .venv
  fi
fi
say "installing watcher into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

# Browser: Playwright's own Chromium if it can be had, else a system Chromium (installed from
# Debian when we are root), else stop and say what to install. The choice is recorded so every
# later run uses the same binary; WATCHER_BROWSER=/path overrides all of this.
browser_file=.venv/watcher-browser
if [ -n "${WATCHER_BROWSER:-}" ]; then
  echo "$WATCHER_BROWSER" > "$browser_file"
elif [ ! -s "$browser_file" ] || [ ! -x "$(cat "$browser_file")" ]; then
  rm -f "$browser_file"
  if timeout 120 .venv/bin/python -m playwright install chromium >/dev/null 2>&1; then
    echo "playwright" > "$browser_file"
  else
    # Debian's chromium-headless-shell before any full Chromium: a check opens a fresh context,
    # and the shell does that for about a fifth of the CPU (see watcher/fetch/browser.py).
    system=""
    for b in chromium-headless-shell chromium chromium-browser google-chrome google-chrome-stable; do
      if command -v "$b" >/dev/null; then system=$(command -v "$b"); break; fi
    done
    case "$system" in
      *headless-shell) ;;
      *)
        say "Playwright's Chromium could not be downloaded; installing Debian's chromium-headless-shell"
        if apt_install chromium-headless-shell && command -v chromium-headless-shell >/dev/null; then
          system=$(command -v chromium-headless-shell)
        elif [ -z "$system" ]; then
          apt_install chromium || true
          command -v chromium >/dev/null && system=$(command -v chromium)
        fi ;;
    esac
    [ -n "$system" ] || { say "no browser: install Chromium (Debian/Ubuntu: apt-get install chromium-headless-shell) or set WATCHER_BROWSER=/path/to/chromium"; exit 1; }
    echo "$system" > "$browser_file"
  fi
fi
say "browser: $(cat "$browser_file")"
# Recorded once here, so that no later `watcher` process starts the browser just to learn its version
# (the User-Agent names it); an upgraded browser is asked again on first use (watcher/fetch/base.py).
.venv/bin/python -c 'from watcher.config import FetchSettings; from watcher.fetch.base import user_agent; user_agent(FetchSettings())' \
  || say "warning: could not ask the browser its version"

# The PostgreSQL store's tests start a throwaway server of their own (tests/support/postgres.py):
# they need the server binaries, never a running server.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  say "installing PostgreSQL (Debian's postgresql) for the PostgreSQL store and its tests"
  apt_install postgresql || say "warning: no PostgreSQL server binaries (apt-get install postgresql); PostgreSQL tests will fail"
fi

# Diff cards render CJK text; without a CJK font every Han character becomes a box.
if command -v fc-list >/dev/null && ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  apt_install fonts-noto-cjk || say "warning: no CJK font (apt-get install fonts-noto-cjk); CJK diff cards will show boxes"
fi

case "${1:-demo}" in
  demo) shift || true; exec .venv/bin/watcher demo "$@" ;;
  test)
    shift || true
    # Lint, format and types first: a failure there fails the run like a failing test.
    say "ruff check, ruff format --check, mypy"
    .venv/bin/ruff check watcher tests bench
    .venv/bin/ruff format --check watcher tests bench
    .venv/bin/mypy
    # Two workers (pytest-xdist): most tests wait on a browser, a server or a subprocess, so two
    # processes on 2 cores halve the wall time; the dashboard's tests share one worker (tests/conftest.py).
    exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@" ;;
  none) ;;
  *) say "usage: bash setup.sh [demo|test|none] [args...]"; exit 2 ;;
esac
