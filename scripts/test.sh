#!/usr/bin/env bash
# The whole suite: lint gates, then pytest (SQLite and a private PostgreSQL cluster that the
# test setup starts), the Secret Service keyring test under dbus-run-session.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PYTHONDONTWRITEBYTECODE=1
echo "== ruff"; $PY -m ruff check console tests bench main.py
echo "== import contracts"; .venv/bin/lint-imports --no-cache
echo "== mypy"; $PY -m mypy
echo "== pytest"
report=$(mktemp)
set +e
xvfb-run -a -s "-screen 0 1600x1000x24" $PY -m pytest -q -rs -p no:randomly "$@" | tee "$report"
rc=${PIPESTATUS[0]}
set -e
if [ "${CI:-}" = "true" ] && grep -E "^SKIPPED .*postgres" "$report" >/dev/null; then
  echo "FAIL: PostgreSQL tests were skipped in CI" >&2
  exit 1
fi
exit "$rc"
