# shellcheck shell=bash disable=SC2034 # variables are used by the sourcing scripts
# Shared helpers for scripts/bootstrap.sh and scripts/engine-stop.sh.
# Sourced, never executed. Callers set PROG (message prefix) and QUIET.

RUNTIME="${PARA_CONTAINER_RUNTIME:-docker}"
BOOTSTRAP_DIR="${PARA_BOOTSTRAP_DIR:-/var/tmp/para-bootstrap}"
DOCKERD_PIDFILE="$BOOTSTRAP_DIR/dockerd.pid" # only written when WE start dockerd
DOCKERD_LOG="$BOOTSTRAP_DIR/dockerd.log"
# dockerd's own pid file (refuses to start while it names a live process).
DOCKERD_SYS_PIDFILE="/var/run/docker.pid"
DOCKER_SOCK="/var/run/docker.sock"

: "${PROG:=bootstrap}"
: "${QUIET:=0}"

say() { [ "$QUIET" = 1 ] || printf '%s: %s\n' "$PROG" "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() {
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit 1
}

# Print the last N lines of a file, each as one prefixed line (to stderr).
tail_log() { # FILE [N]
    local f=$1 n=${2:-20} line
    [ -r "$f" ] || return 0
    printf '%s: --- last %s lines of %s ---\n' "$PROG" "$n" "$f" >&2
    while IFS= read -r line; do
        printf '%s: | %s\n' "$PROG" "$line" >&2
    done < <(tail -n "$n" "$f")
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Monotonic-enough wall clock in milliseconds (bash 5 EPOCHREALTIME).
now_ms() {
    local t=${EPOCHREALTIME/[.,]/}
    printf '%s\n' "$((t / 1000))"
}

# Seconds with one decimal since a now_ms value.
elapsed_since() { # START_MS
    local d=$(($(now_ms) - $1))
    printf '%d.%ds\n' "$((d / 1000))" "$((d % 1000 / 100))"
}

runtime_is_docker() { [ "${RUNTIME##*/}" = docker ]; }

# True when the engine answers.
engine_ok() { timeout 10 "$RUNTIME" info >/dev/null 2>&1; }

# True when PID exists (a zombie too: its pid is still taken).
pid_alive() { [ -n "${1:-}" ] && [ -d "/proc/$1" ]; }

# True when PID is a running process; an exited but not yet reaped child
# (zombie) counts as not running.
pid_running() { # PID
    local stat
    case ${1:-} in '' | *[!0-9]*) return 1 ;; esac
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# True when PID is a running (non-zombie) dockerd process.
pid_is_dockerd() { # PID
    local comm
    case ${1:-} in '' | *[!0-9]*) return 1 ;; esac
    comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
    [ "$comm" = dockerd ] && pid_running "$1"
}

read_pidfile() { # FILE -> prints pid (digits only) or nothing
    local p=""
    [ -r "$1" ] && IFS= read -r p <"$1" 2>/dev/null
    case $p in '' | *[!0-9]*) p="" ;; esac
    printf '%s' "$p"
}

# PIDs of all running dockerd processes (space separated).
dockerd_pids() {
    local d out=""
    for d in /proc/[0-9]*; do
        pid_is_dockerd "${d#/proc/}" && out+="${d#/proc/} "
    done
    printf '%s' "${out% }"
}
