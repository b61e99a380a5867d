#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster and removes it afterwards:
#   tests/postgres/pg_test_env.sh COMMAND [ARGS...]
# The command finds the server in VSV_TEST_PG ("postgresql://vsv:PASSWORD@127.0.0.1:PORT",
# without a database name: the tests create their own databases).
#
# - Installs the Debian package postgresql-15 when it is missing (as root; otherwise
#   exits 77, which ctest reports as skipped).
# - The cluster lives in a fresh temp folder, listens on 127.0.0.1 only, on a free
#   port, with its socket in that folder and password (SCRAM) authentication for the
#   superuser `vsv` with a random password.
# - initdb and postgres refuse to run as root: as root they run as the `postgres`
#   system user (created when missing) through runuser.
# - VSV_TEST_PG_DATA and VSV_TEST_PG_RESTART let a test SIGKILL the server and start
#   it again.
# - VSV_TEST_PG_OPTIONS (optional) adds server options, e.g. for measuring:
#   "-c shared_preload_libraries=pg_stat_statements -c log_min_duration_statement=0".
# - The server is stopped and the folder deleted on every exit (trap), also when the
#   tests fail or the script is interrupted.
set -euo pipefail

PG_BIN="${VSV_PG_BIN:-/usr/lib/postgresql/15/bin}"
log() { printf '[pg_test_env] %s\n' "$*" >&2; }

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

if [ ! -x "$PG_BIN/initdb" ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing postgresql-15"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
  else
    log "PostgreSQL 15 is not installed ($PG_BIN/initdb) and this is not root: skipped"
    exit 77
  fi
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vsv-pg.XXXXXX")"
PG_OPTIONS="-k $WORK -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=on ${VSV_TEST_PG_OPTIONS:-}"
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  chown postgres "$WORK"
  RUNAS=(runuser -u postgres --)
fi
chmod 700 "$WORK"

cleanup() {
  local rc=$?
  if [ -f "$WORK/data/postmaster.pid" ]; then
    "${RUNAS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASSWORD="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASSWORD" > "$WORK/pwfile"
[ ${#RUNAS[@]} -gt 0 ] && chown postgres "$WORK/pwfile"
"${RUNAS[@]}" "$PG_BIN/initdb" -D "$WORK/data" -U vsv --pwfile="$WORK/pwfile" --auth=scram-sha-256 \
  --encoding=UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 1; }
rm -f "$WORK/pwfile"

# A free port on loopback; retried when another process takes it first.
started=0
for attempt in 1 2 3 4 5; do
  PORT=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then continue; fi
  if "${RUNAS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 \
       -o "$PG_OPTIONS -p $PORT" \
       start >/dev/null; then
    started=1
    break
  fi
  log "start on port $PORT failed (attempt $attempt)"
done
if [ "$started" != 1 ]; then
  cat "$WORK/server.log" >&2 || true
  exit 1
fi
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($WORK)"

# For the crash test that SIGKILLs the server: a script that starts it again with the
# same settings (retried while the killed server's backends are still exiting).
cat > "$WORK/restart.sh" <<EOS
#!/usr/bin/env bash
for i in \$(seq 1 60); do
  ${RUNAS[*]} "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 \\
    -o "$PG_OPTIONS -p $PORT" start >/dev/null 2>&1 && exit 0
  sleep 0.5
done
exit 1
EOS
chmod 755 "$WORK/restart.sh"

export VSV_TEST_PG="postgresql://vsv:${PASSWORD}@127.0.0.1:${PORT}"
export VSV_TEST_PG_RESTART="$WORK/restart.sh"
export VSV_TEST_PG_DATA="$WORK/data"
set +e
"$@"
rc=$?
set -e
exit $rc
