#!/usr/bin/env bash
# `make airflow`: Airflow 3 standalone (SQLite metadata DB, LocalExecutor) running this project's
# DAGs from ./dags — scheduler, dag-processor, triggerer and api-server in one foreground process.
#
#   scripts/airflow_standalone.sh          AIRFLOW_HOME=./airflow_home (git-ignored), kept between runs
#   scripts/airflow_standalone.sh --tmp    a throw-away AIRFLOW_HOME under $TMPDIR
#
# Environment (all optional): AIRFLOW_HOME, AIRFLOW_PORT (8080), AIRFLOW_HOST (127.0.0.1),
# JOBTRENDS_DATA_DIR (./data), JOBTRENDS_SAMPLE=1 (offline synthetic sample), AIRFLOW_BIN.
# Stop with Ctrl-C. For a real deployment use docker-compose.yml (docs/airflow.md).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"

if [[ "${1:-}" == "--tmp" ]]; then
    AIRFLOW_HOME="$(mktemp -d "${TMPDIR:-/tmp}/jobtrends-airflow.XXXXXX")"
elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--tmp]" >&2
    exit 2
fi
export AIRFLOW_HOME="${AIRFLOW_HOME:-$ROOT/airflow_home}"
mkdir -p "$AIRFLOW_HOME"

port="${AIRFLOW_PORT:-8080}"
host="${AIRFLOW_HOST:-127.0.0.1}"
# shellcheck source=scripts/_airflow_env.sh
source "$ROOT/scripts/_airflow_env.sh"
export AIRFLOW__CORE__EXECUTOR=LocalExecutor

echo "airflow_standalone: AIRFLOW_HOME=$AIRFLOW_HOME  dags=$AIRFLOW__CORE__DAGS_FOLDER  data=$JOBTRENDS_DATA_DIR"
"$airflow_bin" db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 || {
    tail -n 30 "$AIRFLOW_HOME/db-migrate.log" >&2
    exit 1
}
# One slot: DuckDB allows a single writer process per database file, so every task that writes
# the warehouse runs in this pool (docs/airflow.md).
"$airflow_bin" pools set duckdb_writer 1 "DuckDB warehouse: one writer process at a time" >/dev/null

# Announce the UI once the api-server answers (the banner of `airflow standalone` scrolls away).
(
    for _ in $(seq 1 90); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v2/version" 2>/dev/null; then
            echo
            echo "airflow_standalone: Airflow UI  http://$host:$port/   (REST API http://$host:$port/api/v2/)"
            echo "airflow_standalone: DAGs start paused: unpause jobtrends_nightly_ingest and jobtrends_build_trends"
            exit 0
        fi
        sleep 2
    done
    echo "airflow_standalone: the api-server did not answer on port $port within 3 minutes" >&2
) &

exec "$airflow_bin" standalone
