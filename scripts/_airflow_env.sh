# Shared by airflow_standalone.sh and airflow_celery.sh (sourced, not run): finds the Airflow binary,
# puts its folder first on PATH and exports the settings both launchers use.
# Expects ROOT, AIRFLOW_HOME, port and host set by the caller; sets airflow_bin.

if [[ -n "${AIRFLOW_BIN:-}" ]]; then
    airflow_bin="$AIRFLOW_BIN"
elif [[ -x "$ROOT/.venv/bin/airflow" ]]; then
    airflow_bin="$ROOT/.venv/bin/airflow"
else
    airflow_bin="$(command -v airflow || true)"
fi
if [[ -z "$airflow_bin" ]]; then
    echo "airflow not found: run 'make install' (creates .venv with apache-airflow)" >&2
    exit 1
fi
# Airflow starts its components as `airflow ...` found on PATH: put ours first.
PATH="$(cd "$(dirname "$airflow_bin")" && pwd):$PATH"
export PATH

export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db"
export AIRFLOW__API__HOST="$host"
export AIRFLOW__API__PORT="$port"
# Task processes reach the api-server's execution API here; without it, on any port but 8080,
# every task fails with "Connection refused".
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$port/execution/"
# Local development: no login (the api-server listens on loopback only by default).
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS:-True}"
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="${AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION:-True}"
export JOBTRENDS_DATA_DIR="${JOBTRENDS_DATA_DIR:-$ROOT/data}"
export JOBTRENDS_PROJECT_ROOT="${JOBTRENDS_PROJECT_ROOT:-$ROOT}"
