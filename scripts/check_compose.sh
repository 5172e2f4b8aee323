#!/usr/bin/env bash
# Validate docker-compose.yml the way CI does: `docker-compose -f docker-compose.yml config -q`.
# Installs Debian's docker-compose (1.29) with apt when neither it nor `docker compose` v2 exists.
# Usage: scripts/check_compose.sh [compose file]   (run from anywhere; exits non-zero when invalid)
set -euo pipefail

cd "$(dirname "$0")/.."
compose_file="${1:-docker-compose.yml}"

if command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
else
    echo "check_compose: docker-compose not found; installing Debian's docker-compose with apt" >&2
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
    compose=(docker-compose)
fi

echo "check_compose: $("${compose[@]}" version --short 2>/dev/null || "${compose[@]}" version | head -1)"
# The file must validate without a .env (CI has none): every variable has a default in the file.
"${compose[@]}" -f "$compose_file" config -q
# Same with the committed example environment, which is what a deployment starts from.
if [[ -f .env.example ]]; then
    "${compose[@]}" --env-file .env.example -f "$compose_file" config -q
fi
echo "check_compose: $compose_file is valid"
