#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, pg_ctl) are installed for the tests that start
# a throw-away cluster (tests/postgres_server.py). Idempotent and instant when already installed.
# Installs from Debian's packages only when we are root and apt-get exists; otherwise it says
# how to get them and leaves the decision to the tests (they skip, or fail under CI=true).
set -euo pipefail

# Overridable so that tests can exercise the install path on a machine that already has it.
POSTGRES_LIB_DIR="${POSTGRES_LIB_DIR:-/usr/lib/postgresql}"

server_installed() {
    local bin_dir
    for bin_dir in "$POSTGRES_LIB_DIR"/*/bin; do
        if [ -x "$bin_dir/initdb" ] && [ -x "$bin_dir/pg_ctl" ]; then
            return 0
        fi
    done
    return 1
}

if server_installed; then
    exit 0
fi

# Under CI a missing server is an error; elsewhere the tests that need it skip with one line.
give_up() {
    echo "ensure_postgres: $1" >&2
    if [ "${CI:-}" = "true" ]; then
        exit 1
    fi
    exit 0
}

if [ "$(id -u)" != "0" ]; then
    give_up "PostgreSQL server not found in $POSTGRES_LIB_DIR and not root: install it with 'sudo apt-get install postgresql' (tests that need it will skip)"
fi
if ! command -v apt-get >/dev/null; then
    give_up "PostgreSQL server not found in $POSTGRES_LIB_DIR and no apt-get: install PostgreSQL's server (initdb, pg_ctl) with your system's packages"
fi

echo "ensure_postgres: installing PostgreSQL from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >/dev/null \
    || ! apt-get install -y -qq --no-install-recommends postgresql >/dev/null; then
    give_up "'apt-get install postgresql' failed"
fi
if ! server_installed; then
    give_up "'apt-get install postgresql' ran but no initdb/pg_ctl in $POSTGRES_LIB_DIR/*/bin"
fi
echo "ensure_postgres: PostgreSQL installed" >&2
