# Shared set-up for scripts/demo and scripts/test: everything a fresh machine needs.
# Sourced, not run. Installs Debian packages only when missing (needs root or sudo).

TENURE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$TENURE_ROOT/.venv"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  # apt-get update once per run, only when something is missing.
  if [ -z "${TENURE_APT_UPDATED:-}" ]; then
    log "apt-get update"
    as_root apt-get update -qq
    TENURE_APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

ensure_python_env() {
  local python
  if ! python="$(find_python)"; then
    apt_install python3 python3-venv python3-dev
    python="$(find_python)" || { echo "Python >= 3.11 is required" >&2; exit 1; }
  fi
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    log "creating virtual environment in .venv"
    rm -rf "$VENV"
    "$python" -m venv "$VENV" || { apt_install python3-venv; "$python" -m venv "$VENV"; }
  fi
  # Reinstall only when the dependency list changed since the last install.
  local stamp="$VENV/.tenure-installed" want
  want="$(sha256sum "$TENURE_ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing Tenure and its dependencies into .venv (first run takes a few minutes)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$TENURE_ROOT[dev]"
    echo "$want" >"$stamp"
  fi
}

ensure_java() {
  # PySpark (the Spark parity tests) needs a Java runtime; Java 17 suits pyspark 4.0.
  if ! command -v java >/dev/null 2>&1; then
    apt_install openjdk-17-jre-headless
  fi
}

postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres_packages() {
  if [ -z "$(postgres_bin)" ] || [ ! -x "$(postgres_bin)/initdb" ]; then
    apt_install postgresql
  fi
}

# Chromium for the web app's Playwright tests (driven through executable_path; the
# playwright package's own browser download does not work offline).
ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
}

free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts a throw-away PostgreSQL cluster on a loopback port for the tests and exports
# TENURE_TEST_POSTGRES_URL. Stopped and removed by stop_test_postgres.
start_test_postgres() {
  local bin port run_as=()
  bin="$(postgres_bin)"
  port="$(free_port)"
  TENURE_PG_DIR="$(mktemp -d /tmp/tenure-pg.XXXXXX)"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$TENURE_PG_DIR"
    run_as=(runuser -u postgres --)
  fi
  log "starting PostgreSQL on 127.0.0.1:$port"
  "${run_as[@]}" "$bin/initdb" -D "$TENURE_PG_DIR/data" -U postgres -A trust -E UTF8 >/dev/null
  # Durability settings are off: this cluster holds only test data and is thrown away.
  "${run_as[@]}" "$bin/pg_ctl" -D "$TENURE_PG_DIR/data" -l "$TENURE_PG_DIR/log" -w \
    -o "-p $port -k $TENURE_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  TENURE_PG_RUN_AS="${run_as[*]}"
  export TENURE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
}

stop_test_postgres() {
  if [ -n "${TENURE_PG_DIR:-}" ] && [ -d "$TENURE_PG_DIR" ]; then
    # shellcheck disable=SC2086
    $TENURE_PG_RUN_AS "$(postgres_bin)/pg_ctl" -D "$TENURE_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$TENURE_PG_DIR"
  fi
}
