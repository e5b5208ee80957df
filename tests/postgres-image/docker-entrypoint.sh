#!/usr/bin/env bash
# Minimal re-implementation of the official postgres image's entrypoint:
# env POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB / POSTGRES_HOST_AUTH_METHOD
# / POSTGRES_INITDB_ARGS, /docker-entrypoint-initdb.d, and the log contract
# testcontainers relies on (temporary init server logs "ready" on stdout, the
# real server on stderr). One addition: with POSTGRES_PRIMARY_HOST set, the
# container is a streaming replica of that server (pg_basebackup instead of
# initdb; POSTGRES_USER / POSTGRES_PASSWORD log in there). Another: with
# POSTGRES_SSL_CERT and POSTGRES_SSL_KEY (PEM text) set, the server offers
# TLS with that certificate and key.
set -Eeuo pipefail

log() { echo "docker-entrypoint: $*"; }

# `docker run IMAGE -c fsync=off` means "postgres -c fsync=off".
if [[ $# -eq 0 || ${1:0:1} == '-' ]]; then
    set -- postgres "$@"
fi

# Anything other than the server (e.g. `bash`, `psql`) runs as given.
if [[ $1 != postgres ]]; then
    exec "$@"
fi
shift # the remaining "$@" are server options

SOCKET_DIR=/var/run/postgresql

if [[ $(id -u) -eq 0 ]]; then
    # Root only prepares directories, then re-runs this script as postgres so
    # that postgres (not a wrapper) ends up as PID 1 and receives STOPSIGNAL.
    mkdir -p "$PGDATA" "$SOCKET_DIR"
    find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
    chmod 0700 "$PGDATA"
    chown postgres:postgres "$SOCKET_DIR"
    chmod 3777 "$SOCKET_DIR"
    exec setpriv --reuid=postgres --regid=postgres --init-groups \
        "${BASH_SOURCE[0]}" postgres "$@"
fi

# `postgres --version`, `-C setting` etc. only inspect: no init, no server.
for arg in "$@"; do
    case $arg in
    -'?' | --help | -V | --version | --describe-config | -C | -C*)
        exec postgres "$@" ;;
    esac
done

if [[ ! -s $PGDATA/PG_VERSION && -n ${POSTGRES_PRIMARY_HOST:-} ]]; then
    log "cloning $POSTGRES_PRIMARY_HOST as a streaming replica"
    # -R writes primary_conninfo and standby.signal; -c fast: no wait for a
    # checkpoint. Retried while the primary is still starting.
    for attempt in $(seq 30); do
        PGPASSWORD=${POSTGRES_PASSWORD:-} pg_basebackup --host="$POSTGRES_PRIMARY_HOST" \
            --port="${POSTGRES_PRIMARY_PORT:-5432}" --username="${POSTGRES_USER:-postgres}" \
            --pgdata="$PGDATA" --write-recovery-conf --wal-method=stream --checkpoint=fast \
            --no-password && break
        [[ $attempt -eq 30 ]] && { echo >&2 "docker-entrypoint: error: pg_basebackup failed"; exit 1; }
        rm -rf "${PGDATA:?}"/*
        sleep 1
    done
    chmod 0700 "$PGDATA"
    log "replica ready to start"
elif [[ ! -s $PGDATA/PG_VERSION ]]; then
    POSTGRES_USER=${POSTGRES_USER:-postgres}
    POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
    POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-}
    auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
    if [[ -z $POSTGRES_PASSWORD && $auth != trust ]]; then
        # Same refusal as the official image: a passwordless superuser that
        # only accepts passwords would be unreachable over TCP.
        echo >&2 "docker-entrypoint: error: POSTGRES_PASSWORD is not set;" \
            "set it, or POSTGRES_HOST_AUTH_METHOD=trust"
        exit 1
    fi

    log "initialising $PGDATA"
    initdb_args=(--pgdata="$PGDATA" --username="$POSTGRES_USER"
        --auth-local=trust --auth-host="$auth" --encoding=UTF8
        # Throwaway test databases: skip initdb's final fsync (saves seconds).
        --no-sync --no-instructions)
    # POSTGRES_INITDB_ARGS is a shell-words string, as in the official image.
    # The <(...) must sit on initdb's own command line: a process
    # substitution's fd is closed once the command it appears in ends.
    # shellcheck disable=SC2086
    if [[ -n $POSTGRES_PASSWORD ]]; then
        initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
            ${POSTGRES_INITDB_ARGS:-}
    else
        initdb "${initdb_args[@]}" ${POSTGRES_INITDB_ARGS:-}
    fi
    # Accept TCP connections from any address (initdb only lists loopback).
    # ... and replication connections (a separate pseudo-database in pg_hba),
    # so that a container started with POSTGRES_PRIMARY_HOST can clone this one.
    printf '\nhost all all all %s\nhost replication all all %s\n' "$auth" "$auth" >>"$PGDATA/pg_hba.conf"

    # Temporary socket-only server for setup. No `-l`: pg_ctl then sends the
    # server log to stdout, which is where testcontainers looks for the first
    # "ready to accept connections".
    pg_ctl -D "$PGDATA" -w start \
        -o "$(printf '%q ' -c listen_addresses='' -p "${PGPORT:-5432}" "$@")"

    psql_cmd=(psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password
        --username="$POSTGRES_USER" --host="$SOCKET_DIR" --port="${PGPORT:-5432}")
    if [[ $POSTGRES_DB != postgres ]]; then
        "${psql_cmd[@]}" --dbname=postgres --set=db="$POSTGRES_DB" \
            <<<'CREATE DATABASE :"db";'
    fi

    for f in /docker-entrypoint-initdb.d/*; do
        [[ -e $f ]] || continue
        case $f in
        *.sh)
            # Executable scripts run; others are sourced (official behaviour).
            if [[ -x $f ]]; then
                log "running $f"; "$f"
            else
                log "sourcing $f"
                # shellcheck disable=SC1090 # user-supplied init script
                . "$f"
            fi
            ;;
        *.sql) log "running $f"; "${psql_cmd[@]}" --dbname="$POSTGRES_DB" -f "$f" ;;
        *.sql.gz) log "running $f"; gunzip -c "$f" | "${psql_cmd[@]}" --dbname="$POSTGRES_DB" ;;
        *) log "ignoring $f" ;;
        esac
    done

    pg_ctl -D "$PGDATA" -m fast -w stop
    log "init done; starting server"
fi

tls=()
if [[ -n ${POSTGRES_SSL_CERT:-} && -n ${POSTGRES_SSL_KEY:-} ]]; then
    # The server refuses a key others can read.
    (umask 077 && printf '%s\n' "$POSTGRES_SSL_CERT" >"$PGDATA/server.crt" \
        && printf '%s\n' "$POSTGRES_SSL_KEY" >"$PGDATA/server.key")
    tls=(-c ssl=on -c ssl_cert_file="$PGDATA/server.crt" -c ssl_key_file="$PGDATA/server.key")
    log "TLS on, with the certificate from POSTGRES_SSL_CERT"
fi

# listen_addresses first so a caller's own `-c listen_addresses=...` wins.
exec postgres -c listen_addresses='*' "${tls[@]}" "$@"
