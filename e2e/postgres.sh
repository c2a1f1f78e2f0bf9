#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, in a directory of its own.
#
#   e2e/postgres.sh start DIR   initdb in DIR/data, start on a free 127.0.0.1 port (TCP only,
#                               password auth, fsync on), print the Npgsql connection string
#                               (also written to DIR/connection-string)
#   e2e/postgres.sh stop DIR    stop the server (pg_ctl signals the postmaster PID of its pid file)
#                               and remove DIR
#
# Installs Debian's postgresql when initdb/pg_ctl are missing (apt-get update once, then install).
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user (runuser);
# DIR is chowned to it, and its parent directories must let that user through (/tmp does).
# Only the connection string goes to stdout; progress and errors go to stderr.
set -uo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

usage() { die "usage: postgres.sh start|stop DIR"; }

# The directory of initdb and pg_ctl: PATH first, then Debian's versioned directories (newest).
find_bin() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return 0
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

install_postgres() {
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
    echo "postgres.sh: installing postgresql (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null \
        || die "apt-get install postgresql failed"
}

# as_owner CMD...: runs CMD as the cluster's owner (postgres when we are root).
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A port nothing on 127.0.0.1 listens on now (the server may still lose it to a race: start retries).
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

start() {
    local dir=$1 bin password port
    bin=$(find_bin)
    if [ -z "$bin" ]; then
        install_postgres
        bin=$(find_bin) || true
    fi
    [ -n "$bin" ] || die "initdb and pg_ctl not found after installing postgresql"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "user postgres does not exist (it comes with Debian's postgresql package)"
    fi
    [ -e "$dir/data" ] && die "$dir/data exists already"
    mkdir -p "$dir" || die "cannot create $dir"
    dir=$(cd "$dir" && pwd)
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    (umask 077 && printf '%s\n' "$password" >"$dir/pwfile")
    [ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" -A scram-sha-256 -E UTF8 --no-locale \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    rm -f "$dir/pwfile"
    for _ in 1 2 3 4 5; do
        port=$(free_port) || die "no free port found"
        # Unix socket in DIR (nothing else to own); max_connections covers tests that open a store
        # per simulated node.
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
            "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=on -c max_connections=300" \
            >/dev/null 2>&1; then
            local connection="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password"
            (umask 077 && printf '%s\n' "$connection" >"$dir/connection-string")
            printf '%s\n' "$connection"
            return 0
        fi
        grep -q "could not bind" "$dir/server.log" 2>/dev/null || break
    done
    tail -n 20 "$dir/server.log" >&2 2>/dev/null
    die "the server did not start"
}

stop() {
    local dir=$1 bin
    [ -d "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        bin=$(find_bin) || die "pg_ctl not found"
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || die "pg_ctl stop failed"
    fi
    rm -rf "$dir"
}

[ $# -eq 2 ] || usage
case "$1" in
    start) start "$2" ;;
    stop) stop "$2" ;;
    *) usage ;;
esac
