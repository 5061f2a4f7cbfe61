# shellcheck shell=bash
# Sourced by tools/serve and tools/test: locate Odoo 18 and run a private PostgreSQL.
#
# Odoo is found as the `odoo` package importable by $PYTHON, or in $ODOO_PATH (a
# checkout of Odoo 18, the folder holding the `odoo` package). PostgreSQL runs as a
# private cluster under $TMS_STATE_DIR, on a Unix socket only, so nothing else on the
# machine is touched.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
TMS_STATE_DIR=${TMS_STATE_DIR:-$REPO/.odoo}
TMS_PG_PORT=${TMS_PG_PORT:-55432}
TMS_DB_USER=${TMS_DB_USER:-tms}

if [ -n "${ODOO_PATH:-}" ]; then
    export PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}"
fi

# Prints why Odoo cannot be used, or nothing when it can.
odoo_missing_reason() {
    local version
    version=$("$PYTHON" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null) \
        || { echo "odoo not importable (install Odoo 18 or set ODOO_PATH)"; return; }
    [ "$version" = 18 ] || echo "odoo $version found, Odoo 18 needed"
}

pg_bindir() {
    local dir
    for dir in "${PG_BINDIR:-}" /usr/lib/postgresql/*/bin; do
        [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
    done
    command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
    return 1
}

# Runs a PostgreSQL tool as an unprivileged user: the server refuses to run as root.
as_pg_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Starts (creating when needed) the private cluster in $1; sets PG_SOCKET_DIR.
pg_start() {
    mkdir -p "$1"
    set -- "$(cd "$1" && pwd)"
    local data=$1/pgdata bindir
    bindir=$(pg_bindir) || { echo "no PostgreSQL server binaries (pg_ctl) found" >&2; return 1; }
    PG_SOCKET_DIR=$1/socket
    mkdir -p "$PG_SOCKET_DIR"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || { echo "no 'postgres' system user to run the server" >&2; return 1; }
        chown postgres "$1" "$PG_SOCKET_DIR"
    fi
    if [ ! -s "$data/PG_VERSION" ]; then
        as_pg_user "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 >"$1/initdb.log" 2>&1 \
            || { cat "$1/initdb.log" >&2; return 1; }
    fi
    if ! as_pg_user "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_pg_user "$bindir/pg_ctl" -D "$data" -l "$1/postgres.log" -w -t 60 start \
            -o "-k $PG_SOCKET_DIR -p $TMS_PG_PORT -c listen_addresses='' -c fsync=off \
                -c synchronous_commit=off -c full_page_writes=off" >/dev/null \
            || { tail -20 "$1/postgres.log" >&2; return 1; }
    fi
    "$bindir/psql" -h "$PG_SOCKET_DIR" -p "$TMS_PG_PORT" -U postgres -d postgres -qtAc \
        "SELECT 1 FROM pg_roles WHERE rolname='$TMS_DB_USER'" | grep -q 1 \
        || "$bindir/psql" -h "$PG_SOCKET_DIR" -p "$TMS_PG_PORT" -U postgres -d postgres -qc \
            "CREATE ROLE $TMS_DB_USER LOGIN SUPERUSER" >/dev/null
}

pg_stop() {
    local bindir
    bindir=$(pg_bindir) || return 0
    as_pg_user "$bindir/pg_ctl" -D "$1/pgdata" -m fast stop >/dev/null 2>&1 || true
}

odoo_addons_path() {
    local core
    core=$("$PYTHON" -c 'import os, odoo.addons as a; print(os.path.dirname(a.__file__))')
    # A source checkout keeps most addons in ./addons beside the odoo package.
    if [ -d "$core/../../addons/base" ] || [ -d "$core/../../addons/sale" ]; then
        core="$core,$(cd "$core/../../addons" && pwd)"
    fi
    echo "$core,$REPO/addons"
}

# The project's addons, comma-separated; the German demo (tms_billing_demo), which
# makes its company the admin's, only where asked for (tools/serve, the demo tour).
project_modules() {
    local manifest
    for manifest in "$REPO"/addons/*/__manifest__.py; do
        basename "$(dirname "$manifest")"
    done | grep -vx "tms_billing_demo" | paste -sd,
}

# Odoo's launcher: a file, as Odoo's multi-process server runs sys.argv[0] again for its
# gevent process and when it restarts (a `python -c` command cannot be run again).
ODOO_BIN=$REPO/tools/odoo-bin

# Runs Odoo with the private cluster and the project's addons.
odoo_run() {
    "$PYTHON" "$ODOO_BIN" \
        --addons-path="$(odoo_addons_path)" \
        --db_host="$PG_SOCKET_DIR" --db_port="$TMS_PG_PORT" --db_user="$TMS_DB_USER" \
        "$@"
}
