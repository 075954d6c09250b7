#!/usr/bin/env bash
# Stop the dockerd that scripts/bootstrap.sh started (and only that one).
#
# Reads $PARA_BOOTSTRAP_DIR/dockerd.pid (default /var/tmp/para-bootstrap),
# checks the pid is a dockerd, sends SIGTERM, waits up to 20 s, then SIGKILL.
# A daemon started any other way is left alone.
set -euo pipefail

PROG=engine-stop
QUIET=0
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib-engine.sh
. "$SCRIPT_DIR/lib-engine.sh"

STOP_WAIT_S=20

for arg in "$@"; do
    case $arg in
    -q | --quiet) QUIET=1 ;;
    -h | --help)
        printf 'usage: scripts/engine-stop.sh [-q]\n'
        printf 'Stops the dockerd started by scripts/bootstrap.sh (pid file %s).\n' "$DOCKERD_PIDFILE"
        exit 0
        ;;
    *)
        printf '%s: error: unknown argument %q (see --help)\n' "$PROG" "$arg" >&2
        exit 2
        ;;
    esac
done

if [ ! -e "$DOCKERD_PIDFILE" ]; then
    say "no dockerd was started by scripts/bootstrap.sh (no $DOCKERD_PIDFILE); nothing to stop"
    exit 0
fi

pid=$(read_pidfile "$DOCKERD_PIDFILE")
if [ -z "$pid" ]; then
    rm -f "$DOCKERD_PIDFILE"
    say "$DOCKERD_PIDFILE held no pid; removed it, nothing to stop"
    exit 0
fi
if ! pid_alive "$pid"; then
    rm -f "$DOCKERD_PIDFILE"
    say "dockerd (pid $pid) started by bootstrap is no longer running; removed $DOCKERD_PIDFILE"
    exit 0
fi
if ! pid_is_dockerd "$pid"; then
    rm -f "$DOCKERD_PIDFILE"
    say "pid $pid is now $(cat "/proc/$pid/comm" 2>/dev/null || echo '?'), not dockerd (our daemon is gone); removed $DOCKERD_PIDFILE, nothing stopped"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] && [ ! -O "/proc/$pid" ]; then
    die "dockerd (pid $pid) belongs to another user; run: sudo scripts/engine-stop.sh"
fi

# Still the same dockerd process? (guards against pid reuse between checks)
gone() { ! pid_is_dockerd "$pid"; }

t0=$(now_ms)
kill -TERM "$pid" 2>/dev/null || true
deadline=$((t0 + STOP_WAIT_S * 1000))
while ! gone && [ "$(now_ms)" -lt "$deadline" ]; do
    sleep 0.2
done
if ! gone; then
    warn "dockerd (pid $pid) still running after ${STOP_WAIT_S}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$(($(now_ms) + 5000))
    while ! gone && [ "$(now_ms)" -lt "$deadline" ]; do
        sleep 0.1
    done
    gone || die "dockerd (pid $pid) survived SIGKILL; check 'ps -p $pid' (stuck in the kernel?)"
fi
rm -f "$DOCKERD_PIDFILE"
say "stopped dockerd (pid $pid) in $(elapsed_since "$t0")"
