#!/usr/bin/env bash
# Airflow 3 with the CeleryExecutor on one machine, for tests and trying the fan-out locally:
# Debian's redis-server (broker and result backend, loopback only, a port of its own), the
# api-server, scheduler and dag-processor, and CELERY_WORKERS `airflow celery worker` processes.
# Worker 1 consumes the `default` and `duckdb` queues (it is the DuckDB writer's host); the others
# consume `default` only: fetches and normalise slices. Everything is a child of this script: stop
# it with Ctrl-C, or by signalling its process group. For a real deployment see docs/scaling-out.md.
#
# Environment (all optional): AIRFLOW_HOME (a throw-away temp dir), AIRFLOW_PORT (8080),
# REDIS_PORT (6379), CELERY_WORKERS (2), CELERY_CONCURRENCY (2 task slots per worker),
# JOBTRENDS_DATA_DIR (./data), JOBTRENDS_SAMPLE=1 (offline synthetic sample), AIRFLOW_BIN.
# The metadata DB is SQLite in AIRFLOW_HOME (tests); a deployment uses PostgreSQL.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$(mktemp -d "${TMPDIR:-/tmp}/jobtrends-celery.XXXXXX")}"
mkdir -p "$AIRFLOW_HOME"

port="${AIRFLOW_PORT:-8080}"
host=127.0.0.1
# shellcheck source=scripts/_airflow_env.sh
source "$ROOT/scripts/_airflow_env.sh"
redis_bin="$(command -v redis-server || true)"
if [[ -z "$redis_bin" ]]; then
    echo "redis-server not found: apt-get install redis-server (Debian's package)" >&2
    exit 1
fi
redis_port="${REDIS_PORT:-6379}"
workers="${CELERY_WORKERS:-2}"
concurrency="${CELERY_CONCURRENCY:-2}"
secret() { "$(dirname "$airflow_bin")/python" -c 'import secrets; print(secrets.token_hex(32))'; }

export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
export AIRFLOW__CELERY__BROKER_URL="redis://127.0.0.1:$redis_port/0"
export AIRFLOW__CELERY__RESULT_BACKEND="redis://127.0.0.1:$redis_port/1"
# Every component must sign and check the workers' tokens with the same secrets.
export AIRFLOW__API_AUTH__JWT_SECRET="${AIRFLOW__API_AUTH__JWT_SECRET:-$(secret)}"
export AIRFLOW__API__SECRET_KEY="${AIRFLOW__API__SECRET_KEY:-$(secret)}"

# Ctrl-C or an error stops every component started below.
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
echo "airflow_celery: AIRFLOW_HOME=$AIRFLOW_HOME  data=$JOBTRENDS_DATA_DIR  redis=127.0.0.1:$redis_port  workers=$workers x $concurrency"
"$redis_bin" --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize no \
    --dir "$AIRFLOW_HOME" --logfile "$AIRFLOW_HOME/redis.log" &
"$airflow_bin" db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 || {
    tail -n 30 "$AIRFLOW_HOME/db-migrate.log" >&2
    exit 1
}
# One slot: DuckDB allows a single writer process per database file (docs/airflow.md).
"$airflow_bin" pools set duckdb_writer 1 "DuckDB warehouse: one writer process at a time" >/dev/null

"$airflow_bin" api-server --host 127.0.0.1 --port "$port" >"$AIRFLOW_HOME/api-server.log" 2>&1 &
"$airflow_bin" scheduler >"$AIRFLOW_HOME/scheduler.log" 2>&1 &
"$airflow_bin" dag-processor >"$AIRFLOW_HOME/dag-processor.log" 2>&1 &
for i in $(seq 1 "$workers"); do
    queues=default
    [[ "$i" == 1 ]] && queues=default,duckdb
    # Task logs are files under AIRFLOW_HOME/logs, which the api-server reads: no log server needed
    # (two workers on one host would both want its port).
    "$airflow_bin" celery worker --queues "$queues" --concurrency "$concurrency" \
        --celery-hostname "worker$i@%h" --skip-serve-logs >"$AIRFLOW_HOME/worker$i.log" 2>&1 &
done
echo "airflow_celery: UI and REST API http://127.0.0.1:$port/  (logs in $AIRFLOW_HOME/*.log)"
# The first component to exit ends the whole set (the caller then stops the process group).
wait -n
echo "airflow_celery: a component exited; stopping" >&2
exit 1
