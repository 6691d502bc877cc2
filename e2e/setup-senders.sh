#!/usr/bin/env bash
# Installs the real senders the end-to-end tests drive: python-logstash and
# Django (PyPI, for the Django twin of faulty in e2e/django) in a virtualenv
# under .cache/, and checks for logger (util-linux).
# Idempotent; prints the python to use on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
PY_LOGSTASH_VERSION=0.4.8
DJANGO_VERSION=5.2.19
venv=.cache/senders-venv
if ! "$venv/bin/python" -c "import logstash, django" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "python-logstash==$PY_LOGSTASH_VERSION" "Django==$DJANGO_VERSION"
fi
if ! command -v logger >/dev/null; then
  if command -v apt-get >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq bsdutils) >/dev/null
  fi
fi
command -v logger >/dev/null || { echo "logger (util-linux/bsdutils) is missing and could not be installed" >&2; exit 1; }
"$venv/bin/python" -c "import logstash, django, sys; print(sys.executable)"
