#!/usr/bin/env bash
# Bootstrap a machine for building and testing para.
#
#   scripts/bootstrap.sh                 # same as --deps --engine --images
#   scripts/bootstrap.sh --engine -q     # just make sure the engine answers
#   scripts/bootstrap.sh --test-fixtures # test-suite fixtures (root only)
#
# Idempotent and fast when everything is already in place. Every message is
# one line prefixed "bootstrap: ". See --help.
set -euo pipefail

PROG=bootstrap
QUIET=0
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib-engine.sh
. "$SCRIPT_DIR/lib-engine.sh"

DEPS=(
    gcc clang libclang-rt-14-dev meson ninja-build pkg-config libjansson-dev
    libcmocka-dev libxxhash-dev libarchive-dev libgit2-dev git valgrind busybox-static debootstrap
    docker.io jq python3 hyperfine tmux util-linux iproute2 ca-certificates
    scdoc man-db zsh fish strace
)

IMG_BUSYBOX="para-test-busybox:latest"
IMG_DEBIAN="para-test-debian:bookworm"
IMG_DEMO="para-demo:latest"
DEBIAN_MIRROR="${PARA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
IMG_PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ENGINE_WAIT_S=60

FIXTURE_USER=para-test
FIXTURE_ID=4711

usage() {
    cat <<EOF
usage: scripts/bootstrap.sh [STEP...] [-q] [--rebuild]

Steps (run in this order; with no step flags: --deps --engine --images):
  --deps            install missing Debian packages (apt-get; root, or prints
                    the sudo command to run)
  --engine          make sure '\$PARA_CONTAINER_RUNTIME info' works
                    (default runtime: docker); as root, starts dockerd if needed
  --test-fixtures   (root) user $FIXTURE_USER uid/gid $FIXTURE_ID in group
                    docker, docker socket group docker mode 660
  --images          build local images if missing: $IMG_BUSYBOX,
                    $IMG_DEBIAN (debootstrap; root), tagged also $IMG_DEMO

Options:
  --rebuild         with --images: rebuild the images even if present
  -q, --quiet       only print warnings and errors
  -h, --help        this help

Environment:
  PARA_CONTAINER_RUNTIME  engine CLI (default docker)
  PARA_BOOTSTRAP_DIR      state/log dir (default /var/tmp/para-bootstrap):
                          dockerd.pid (only if bootstrap started dockerd),
                          dockerd.log, apt.log, image build logs, lock
  PARA_DEBIAN_MIRROR      debootstrap mirror (default $DEBIAN_MIRROR)
  PARA_DOCKERD_ARGS       extra dockerd arguments (e.g. --storage-driver=vfs)

Stop a dockerd started by this script with scripts/engine-stop.sh.
EOF
}

DO_DEPS=0 DO_ENGINE=0 DO_IMAGES=0 DO_FIXTURES=0 REBUILD=0
any_step=0
for arg in "$@"; do
    case $arg in
    --deps) DO_DEPS=1 any_step=1 ;;
    --engine) DO_ENGINE=1 any_step=1 ;;
    --images) DO_IMAGES=1 any_step=1 ;;
    --test-fixtures) DO_FIXTURES=1 any_step=1 ;;
    --rebuild) REBUILD=1 ;;
    -q | --quiet) QUIET=1 ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        printf '%s: error: unknown argument %q (see scripts/bootstrap.sh --help)\n' "$PROG" "$arg" >&2
        exit 2
        ;;
    esac
done
if [ "$any_step" = 0 ]; then
    DO_DEPS=1 DO_ENGINE=1 DO_IMAGES=1
fi

# ---------------------------------------------------------------- plumbing

# Where logs go: the state dir when we can write there, else a per-user dir.
LOG_DIR=""
log_dir() {
    if [ -z "$LOG_DIR" ]; then
        if mkdir -p "$BOOTSTRAP_DIR" 2>/dev/null && [ -w "$BOOTSTRAP_DIR" ]; then
            LOG_DIR=$BOOTSTRAP_DIR
        else
            LOG_DIR="${TMPDIR:-/tmp}/para-bootstrap-$(id -u)"
            mkdir -p "$LOG_DIR" || die "cannot create log dir $LOG_DIR; set PARA_BOOTSTRAP_DIR to a writable dir"
        fi
    fi
    printf '%s\n' "$LOG_DIR"
}

# Temp dirs removed on exit (also on failure / interrupt).
CLEANUP_DIRS=()
# Unmount anything mounted below DIR (debootstrap may leave proc/sys/dev
# mounts behind when it fails), deepest first.
unmount_below() { # DIR
    local dir mnt
    dir=$(realpath -m "$1")
    while read -r mnt; do
        umount -l "$mnt" 2>/dev/null || true
    done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
}
cleanup() {
    local d
    for d in ${CLEANUP_DIRS[@]+"${CLEANUP_DIRS[@]}"}; do
        [ -d "$d" ] || continue
        if is_root; then unmount_below "$d"; fi
        rm -rf --one-file-system "$d" 2>/dev/null || warn "could not remove temp dir $d"
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Serialize concurrent bootstrap runs (two runs must not both start dockerd
# or build the same image). Skipped when the state dir is not writable.
take_lock() {
    local lock="$BOOTSTRAP_DIR/lock"
    if mkdir -p "$BOOTSTRAP_DIR" 2>/dev/null && { : >>"$lock"; } 2>/dev/null; then
        exec 9>>"$lock"
        if ! flock -w 2 9; then
            say "waiting for another bootstrap run to finish (lock $lock)"
            flock -w 1800 9 || die "another bootstrap run holds $lock for 30 min; check for a stuck scripts/bootstrap.sh"
        fi
    fi
}

# -------------------------------------------------------------------- deps

step_deps() {
    command -v dpkg-query >/dev/null 2>&1 ||
        die "dpkg-query not found: not a Debian system; install the equivalents of: ${DEPS[*]}"

    local -A installed=()
    local name status missing=()
    while read -r name status; do
        [ "$status" = "install ok installed" ] && installed[$name]=1
    done < <(dpkg-query -W -f='${Package} ${Status}\n' "${DEPS[@]}" 2>/dev/null || true)
    for name in "${DEPS[@]}"; do
        [ -n "${installed[$name]:-}" ] || missing+=("$name")
    done
    # npm (the end-to-end test fetches Claude Code with it): any install will
    # do (a machine may have NodeSource's nodejs, which Debian's npm conflicts with)
    command -v npm >/dev/null 2>&1 || missing+=(npm)

    if [ ${#missing[@]} -eq 0 ]; then
        say "deps: all ${#DEPS[@]} packages installed"
        return 0
    fi
    if ! is_root; then
        die "missing packages: ${missing[*]}; run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    fi

    local log t0
    log="$(log_dir)/apt.log"
    t0=$(now_ms)
    say "deps: installing ${#missing[@]} missing packages: ${missing[*]} (log: $log)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get update >"$log" 2>&1; then
        tail_log "$log"
        die "apt-get update failed (see $log); check network access to the Debian mirror and rerun scripts/bootstrap.sh --deps"
    fi
    if ! apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
        tail_log "$log"
        die "apt-get install failed (see $log); fix apt and rerun scripts/bootstrap.sh --deps"
    fi
    # Verify: a package name that resolves to nothing would slip through.
    installed=()
    while read -r name status; do
        [ "$status" = "install ok installed" ] && installed[$name]=1
    done < <(dpkg-query -W -f='${Package} ${Status}\n' "${missing[@]}" 2>/dev/null || true)
    for name in "${missing[@]}"; do
        [ -n "${installed[$name]:-}" ] || die "package $name still not installed after apt-get install (see $log)"
    done
    say "deps: installed ${missing[*]} in $(elapsed_since "$t0")"
}

# ------------------------------------------------------------------ engine

ENGINE_UP=0

# Poll until the engine answers. With a PID, fail early if that process dies.
wait_for_engine() { # [PID]
    local pid=${1:-} deadline
    deadline=$(($(now_ms) + ENGINE_WAIT_S * 1000))
    while :; do
        engine_ok && return 0
        if [ -n "$pid" ] && ! pid_running "$pid"; then
            return 2
        fi
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

step_engine() {
    if ! command -v "$RUNTIME" >/dev/null 2>&1; then
        if runtime_is_docker; then
            die "'$RUNTIME' CLI not found; run: scripts/bootstrap.sh --deps (package docker.io)"
        fi
        die "'$RUNTIME' not found in PATH; install it or unset PARA_CONTAINER_RUNTIME to use docker"
    fi
    if engine_ok; then
        ENGINE_UP=1
        say "engine: $RUNTIME is up"
        return 0
    fi
    if ! runtime_is_docker; then
        die "'$RUNTIME info' fails; bootstrap only knows how to start dockerd: start or fix $RUNTIME yourself (or unset PARA_CONTAINER_RUNTIME to use docker)"
    fi
    if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "unix://$DOCKER_SOCK" ]; then
        die "DOCKER_HOST=$DOCKER_HOST does not answer '$RUNTIME info'; bootstrap only starts a local dockerd: fix that engine or unset DOCKER_HOST"
    fi

    local running
    running=$(dockerd_pids)
    if ! is_root; then
        if [ -n "$running" ] && [ -S "$DOCKER_SOCK" ]; then
            die "dockerd is running (pid $running) but '$RUNTIME info' fails for user $(id -un): probably no access to $DOCKER_SOCK; run: sudo usermod -aG docker $(id -un) (then log in again), or run as root"
        fi
        die "no container engine answers '$RUNTIME info'; run: sudo scripts/bootstrap.sh --engine"
    fi
    command -v dockerd >/dev/null 2>&1 ||
        die "dockerd not found; run: scripts/bootstrap.sh --deps (package docker.io)"

    # A dockerd is already running but not answering (yet): it may be
    # starting up. Wait for it rather than starting a second daemon.
    if [ -n "$running" ]; then
        say "engine: dockerd already running (pid $running) but not answering yet; waiting up to ${ENGINE_WAIT_S}s"
        if wait_for_engine; then
            ENGINE_UP=1
            say "engine: $RUNTIME is up"
            return 0
        fi
        die "dockerd (pid $running) runs but '$RUNTIME info' still fails after ${ENGINE_WAIT_S}s; check that daemon's log, stop it (kill $running) and rerun scripts/bootstrap.sh --engine"
    fi

    # No dockerd runs in this pid namespace: a docker.pid left by a dead
    # daemon is stale. dockerd refuses to start while the pid it names
    # exists, so remove it unless that pid is live (it cannot be a dockerd
    # here; a live non-dockerd pid means the pid was reused, also stale).
    local stale
    if [ -e "$DOCKERD_SYS_PIDFILE" ]; then
        stale=$(read_pidfile "$DOCKERD_SYS_PIDFILE")
        if [ -n "$stale" ] && pid_alive "$stale"; then
            say "engine: $DOCKERD_SYS_PIDFILE names pid $stale, which is $(cat "/proc/$stale/comm" 2>/dev/null || echo '?'), not dockerd: removing the stale pid file"
        else
            say "engine: removing stale $DOCKERD_SYS_PIDFILE (pid ${stale:-?} is not running)"
        fi
        rm -f "$DOCKERD_SYS_PIDFILE"
    fi
    if [ -S "$DOCKER_SOCK" ]; then
        rm -f "$DOCKER_SOCK" # stale socket of a dead daemon
    fi

    mkdir -p "$BOOTSTRAP_DIR"
    [ ! -f "$DOCKERD_LOG" ] || mv -f "$DOCKERD_LOG" "$DOCKERD_LOG.1"
    local pid t0 rc=0
    t0=$(now_ms)
    # shellcheck disable=SC2086 # PARA_DOCKERD_ARGS is a word list on purpose
    (
        cd /
        exec setsid nohup dockerd ${PARA_DOCKERD_ARGS:-} </dev/null >"$DOCKERD_LOG" 2>&1 9>&-
    ) &
    pid=$!
    # Record it right away so scripts/engine-stop.sh can stop it even if
    # startup times out below.
    printf '%s\n' "$pid" >"$DOCKERD_PIDFILE"
    say "engine: started dockerd (pid $pid, log $DOCKERD_LOG); waiting for '$RUNTIME info'"

    wait_for_engine "$pid" || rc=$?
    case $rc in
    0) ;;
    2)
        wait "$pid" 2>/dev/null || true
        rm -f "$DOCKERD_PIDFILE"
        tail_log "$DOCKERD_LOG" 20
        die "dockerd exited during startup; see $DOCKERD_LOG (extra flags can go in PARA_DOCKERD_ARGS, e.g. --storage-driver=vfs)"
        ;;
    *)
        tail_log "$DOCKERD_LOG" 20
        die "dockerd (pid $pid) did not answer '$RUNTIME info' within ${ENGINE_WAIT_S}s; see $DOCKERD_LOG; stop it with scripts/engine-stop.sh"
        ;;
    esac

    # dockerd's own pid file names the daemon; prefer it if it differs
    # (e.g. setsid had to fork).
    local real
    real=$(read_pidfile "$DOCKERD_SYS_PIDFILE")
    if [ -n "$real" ] && [ "$real" != "$pid" ] && pid_is_dockerd "$real"; then
        pid=$real
        printf '%s\n' "$pid" >"$DOCKERD_PIDFILE"
    fi
    ENGINE_UP=1
    say "engine: dockerd (pid $pid) up in $(elapsed_since "$t0"); stop it with scripts/engine-stop.sh"
}

# ----------------------------------------------------------- test fixtures

# Run a command quietly; on failure show its output (prefixed) and stop.
run_quiet() { # CMD...
    local out line
    if ! out=$("$@" 2>&1); then
        while IFS= read -r line; do printf '%s: | %s\n' "$PROG" "$line" >&2; done <<<"$out"
        die "'$*' failed"
    fi
}

step_test_fixtures() {
    is_root || die "--test-fixtures needs root; run: sudo scripts/bootstrap.sh --test-fixtures"
    local changed=0 name

    # group para-test, gid 4711
    name=$(getent group "$FIXTURE_ID" | cut -d: -f1) || true
    if [ -z "$name" ]; then
        if getent group "$FIXTURE_USER" >/dev/null; then
            die "group $FIXTURE_USER exists with gid $(getent group "$FIXTURE_USER" | cut -d: -f3), not $FIXTURE_ID; remove it (groupdel $FIXTURE_USER) and rerun"
        fi
        run_quiet groupadd --system --gid "$FIXTURE_ID" "$FIXTURE_USER"
        changed=1
    elif [ "$name" != "$FIXTURE_USER" ]; then
        die "gid $FIXTURE_ID is taken by group $name; free it and rerun scripts/bootstrap.sh --test-fixtures"
    fi

    # group docker (the engine socket's group)
    if ! getent group docker >/dev/null; then
        run_quiet groupadd --system docker
        changed=1
    fi

    # user para-test, uid 4711, primary group para-test, member of docker
    name=$(getent passwd "$FIXTURE_ID" | cut -d: -f1) || true
    if [ -z "$name" ]; then
        if getent passwd "$FIXTURE_USER" >/dev/null; then
            die "user $FIXTURE_USER exists with uid $(id -u "$FIXTURE_USER"), not $FIXTURE_ID; remove it (userdel $FIXTURE_USER) and rerun"
        fi
        run_quiet useradd --system --uid "$FIXTURE_ID" --gid "$FIXTURE_ID" --groups docker \
            --home-dir "/home/$FIXTURE_USER" --no-create-home --shell /bin/bash "$FIXTURE_USER"
        changed=1
    elif [ "$name" != "$FIXTURE_USER" ]; then
        die "uid $FIXTURE_ID is taken by user $name; free it and rerun scripts/bootstrap.sh --test-fixtures"
    fi
    if [ "$(id -g "$FIXTURE_USER")" != "$FIXTURE_ID" ]; then
        die "user $FIXTURE_USER has primary gid $(id -g "$FIXTURE_USER"), not $FIXTURE_ID; fix with: usermod -g $FIXTURE_ID $FIXTURE_USER"
    fi
    if ! id -nG "$FIXTURE_USER" | tr ' ' '\n' | grep -qx docker; then
        run_quiet usermod -aG docker "$FIXTURE_USER"
        changed=1
    fi
    if [ ! -d "/home/$FIXTURE_USER" ] ||
        [ "$(stat -c %u:%g "/home/$FIXTURE_USER")" != "$FIXTURE_ID:$FIXTURE_ID" ]; then
        install -d -m 0755 -o "$FIXTURE_ID" -g "$FIXTURE_ID" "/home/$FIXTURE_USER"
        changed=1
    fi

    # dockerd gives its socket group docker only if that group existed when
    # it started: enforce it every time.
    if runtime_is_docker; then
        if [ -S "$DOCKER_SOCK" ]; then
            chgrp docker "$DOCKER_SOCK"
            chmod 660 "$DOCKER_SOCK"
        else
            die "$DOCKER_SOCK does not exist (engine down?); run: scripts/bootstrap.sh --engine --test-fixtures"
        fi
    fi
    if [ "$changed" = 1 ]; then
        say "test-fixtures: user $FIXTURE_USER ($FIXTURE_ID:$FIXTURE_ID, group docker) set up"
    else
        say "test-fixtures: user $FIXTURE_USER ($FIXTURE_ID:$FIXTURE_ID, group docker) present"
    fi
}

# ------------------------------------------------------------------ images

image_exists() { "$RUNTIME" image inspect "$1" >/dev/null 2>&1; }
image_id() { "$RUNTIME" image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

# After a rebuild, remove the previous image if nothing uses it any more
# (no tags left, no containers); otherwise keep it silently.
drop_superseded() { # OLD_ID NAME
    [ -n "$1" ] && [ "$1" != "$(image_id "$2")" ] || return 0
    "$RUNTIME" image rm "$1" >/dev/null 2>&1 || true
}

# docker CLIs >= 23 default to BuildKit via the buildx plugin; without the
# plugin, use the classic builder (works with old daemons, no network).
docker_build() { # ARGS...
    if runtime_is_docker && [ -z "${DOCKER_BUILDKIT:-}" ] &&
        ! "$RUNTIME" buildx version >/dev/null 2>&1; then
        DOCKER_BUILDKIT=0 "$RUNTIME" build "$@"
    else
        "$RUNTIME" build "$@"
    fi
}

build_busybox() {
    local bb=/bin/busybox ctx log t0
    [ -x "$bb" ] || die "$bb not found; run: scripts/bootstrap.sh --deps (package busybox-static)"
    log="$(log_dir)/image-busybox.log"
    t0=$(now_ms)
    ctx=$(mktemp -d "${TMPDIR:-/tmp}/para-busybox-ctx.XXXXXX")
    CLEANUP_DIRS+=("$ctx")

    cp "$bb" "$ctx/busybox"
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$ctx/passwd"
    printf 'root:x:0:\n' >"$ctx/group"
    cat >"$ctx/Dockerfile" <<EOF
FROM scratch
COPY busybox /bin/busybox
COPY passwd group /etc/
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /tmp /root && /bin/busybox --install -s && chmod 1777 /tmp && chmod 0700 /root"]
ENV $IMG_PATH_ENV
LABEL dev.para.test=1
CMD ["/bin/sh"]
EOF
    say "images: building $IMG_BUSYBOX from $bb (log: $log)"
    if ! docker_build --no-cache -t "$IMG_BUSYBOX" "$ctx" >"$log" 2>&1; then
        tail_log "$log"
        die "building $IMG_BUSYBOX failed (see $log); is $bb the static busybox (package busybox-static)?"
    fi
    if ! "$RUNTIME" run --rm --network none "$IMG_BUSYBOX" \
        sh -c 'test -x /bin/sh && ! command -v useradd >/dev/null' >>"$log" 2>&1; then
        tail_log "$log"
        die "$IMG_BUSYBOX was built but does not run 'sh' (see $log); is $bb statically linked (package busybox-static)?"
    fi
    say "images: built $IMG_BUSYBOX in $(elapsed_since "$t0")"
}

build_debian() {
    is_root || die "building $IMG_DEBIAN needs root (debootstrap); run: sudo scripts/bootstrap.sh --images"
    command -v debootstrap >/dev/null 2>&1 ||
        die "debootstrap not found; run: scripts/bootstrap.sh --deps"
    local dir rootfs log t0 t1
    log="$(log_dir)/image-debian.log"
    # On disk (/var/tmp), not /tmp: the rootfs is a few hundred MB.
    mkdir -p "$BOOTSTRAP_DIR"
    dir=$(mktemp -d "$BOOTSTRAP_DIR/debian-rootfs.XXXXXX")
    CLEANUP_DIRS+=("$dir")
    rootfs="$dir/rootfs"

    t0=$(now_ms)
    say "images: debootstrap bookworm from $DEBIAN_MIRROR for $IMG_DEBIAN (about a minute on a fast mirror; log: $log)"
    if ! debootstrap --variant=minbase --include=git,ca-certificates,curl \
        bookworm "$rootfs" "$DEBIAN_MIRROR" >"$log" 2>&1; then
        tail_log "$log"
        die "debootstrap failed (see $log); check access to $DEBIAN_MIRROR (set PARA_DEBIAN_MIRROR) and rerun scripts/bootstrap.sh --images"
    fi
    unmount_below "$rootfs" # debootstrap normally unmounts; be sure before tar
    # Like Debian's own container images: no .debs, no package lists
    # (49 MB; 'apt-get update' fetches them when needed).
    rm -f "$rootfs"/var/cache/apt/archives/*.deb
    find "$rootfs/var/lib/apt/lists" -mindepth 1 -maxdepth 1 ! -name partial -exec rm -rf {} +
    t1=$(now_ms)
    if ! tar --numeric-owner -C "$rootfs" -c . |
        "$RUNTIME" import \
            --change 'CMD ["/bin/bash"]' \
            --change "ENV $IMG_PATH_ENV" \
            - "$IMG_DEBIAN" >>"$log" 2>&1; then
        tail_log "$log"
        die "importing the debootstrap rootfs as $IMG_DEBIAN failed (see $log); check '$RUNTIME info' and free disk space"
    fi
    say "images: built $IMG_DEBIAN in $(elapsed_since "$t0") (debootstrap $(((t1 - t0) / 1000))s, import $(elapsed_since "$t1"))"
    if ! "$RUNTIME" run --rm --network none "$IMG_DEBIAN" git --version >>"$log" 2>&1; then
        tail_log "$log"
        die "$IMG_DEBIAN was built but 'git --version' fails in it (see $log)"
    fi
    # Remove the rootfs now rather than at exit.
    unmount_below "$dir"
    rm -rf --one-file-system "$dir"
}

step_images() {
    if [ "$ENGINE_UP" != 1 ]; then
        engine_ok || die "no container engine answers '$RUNTIME info'; run: scripts/bootstrap.sh --engine"
        ENGINE_UP=1
    fi
    if [ "$REBUILD" = 0 ] && "$RUNTIME" image inspect "$IMG_BUSYBOX" "$IMG_DEBIAN" "$IMG_DEMO" >/dev/null 2>&1; then
        say "images: $IMG_BUSYBOX $IMG_DEBIAN $IMG_DEMO present"
        return 0
    fi
    local old_bb old_deb
    old_bb=$(image_id "$IMG_BUSYBOX")
    old_deb=$(image_id "$IMG_DEBIAN")
    if [ "$REBUILD" = 1 ] || ! image_exists "$IMG_BUSYBOX"; then
        build_busybox
        drop_superseded "$old_bb" "$IMG_BUSYBOX"
    else
        say "images: $IMG_BUSYBOX present"
    fi
    if [ "$REBUILD" = 1 ] || ! image_exists "$IMG_DEBIAN"; then
        build_debian
        "$RUNTIME" tag "$IMG_DEBIAN" "$IMG_DEMO"
        say "images: tagged $IMG_DEBIAN as $IMG_DEMO"
        drop_superseded "$old_deb" "$IMG_DEBIAN"
    else
        say "images: $IMG_DEBIAN present"
        if ! image_exists "$IMG_DEMO"; then
            "$RUNTIME" tag "$IMG_DEBIAN" "$IMG_DEMO"
            say "images: tagged $IMG_DEBIAN as $IMG_DEMO"
        fi
    fi
}

# -------------------------------------------------------------------- main

take_lock
[ "$DO_DEPS" = 0 ] || step_deps
[ "$DO_ENGINE" = 0 ] || step_engine
[ "$DO_FIXTURES" = 0 ] || step_test_fixtures
[ "$DO_IMAGES" = 0 ] || step_images
