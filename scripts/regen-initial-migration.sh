#!/usr/bin/env bash
# Regenerates the single initial migration from the models. Only for use before the first
# release: once a database exists anywhere, every schema change gets its own revision instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
# Later hand-written revisions (0002_audit_event_append_only.py: triggers) revise 0001: set them
# aside while 0001 is regenerated, and always put them back on top of it (even on failure).
mkdir "$tmp/later"
trap 'find "$tmp/later" -maxdepth 1 -name "0*.py" -exec mv {} migrations/versions/ \; ; rm -rf "$tmp"' EXIT
rm -f migrations/versions/*_initial_schema.py
find migrations/versions -maxdepth 1 -name '0*.py' -exec mv {} "$tmp/later/" \;
DATABASE_URL="sqlite:///$tmp/regen.sqlite" AUDITAPP_ENV=development \
  .venv/bin/flask --app wsgi db migrate -m "initial schema" --rev-id 0001 >/dev/null 2>&1
find "$tmp/later" -maxdepth 1 -name '0*.py' -exec mv {} migrations/versions/ \;
.venv/bin/ruff format --quiet migrations/versions
echo "regenerated: $(ls migrations/versions/*.py)"
