#!/usr/bin/env bash
# Regenerates the single initial migration from the models. Only for use before the first
# release: once a database exists anywhere, every schema change gets its own revision instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/*_initial_schema.py
DATABASE_URL="sqlite:///$tmp/regen.sqlite" AUDITAPP_ENV=development \
  .venv/bin/flask --app wsgi db migrate -m "initial schema" --rev-id 0001 >/dev/null 2>&1
.venv/bin/ruff format --quiet migrations/versions
echo "regenerated: $(ls migrations/versions/*.py)"
