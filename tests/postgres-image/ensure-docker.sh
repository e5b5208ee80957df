#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info`: install Debian's docker.io
# (plus debootstrap, needed by build.sh) if missing, then start dockerd.
# Idempotent; safe to run repeatedly from CI (root, no stdin) or by hand.
set -euo pipefail

# dockerd, debootstrap and apt-get live in sbin dirs a non-login PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
DOCKER_WAIT_SECS=${DOCKER_WAIT_SECS:-60}

log() { echo "[ensure-docker] $*" >&2; }

if docker info >/dev/null 2>&1; then
    log "docker engine already running"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    # Installing packages and starting dockerd both need root.
    SUDO=sudo
else
    SUDO=
fi

# Another apt-get may be running on this machine (e.g. a setup step logging
# to /tmp/apt.log); wait for it rather than failing on the dpkg lock.
wait_for_apt() {
    local waited=0
    while pgrep -x 'apt-get|apt|dpkg' >/dev/null 2>&1; do
        if (( waited == 0 )); then
            log "waiting for a running apt-get/dpkg to finish (see /tmp/apt.log if present)"
        fi
        if (( waited >= 900 )); then
            log "ERROR: apt-get/dpkg still running after ${waited}s"; exit 1
        fi
        sleep 5; waited=$((waited + 5))
    done
}

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if (( ${#missing[@]} )); then
    wait_for_apt
    # A concurrent install may just have provided what was missing.
    missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
fi
if (( ${#missing[@]} )); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Lock timeout covers a dpkg run that starts between our check and now.
    apt_opts=(-o DPkg::Lock::Timeout=600 -y -q)
    $SUDO apt-get "${apt_opts[@]}" update
    # With Recommends (cgroupfs-mount, apparmor...): the set proven to work here.
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" \
        install "${missing[@]}" </dev/null
fi

# dockerd may be up but still initialising (e.g. started by a parallel run).
if ! pgrep -x dockerd >/dev/null 2>&1; then
    log "starting dockerd (log: $DOCKERD_LOG)"
    # setsid+nohup: keep the daemon alive after this script and its caller exit.
    $SUDO setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
fi

for ((i = 0; i < DOCKER_WAIT_SECS; i++)); do
    if docker info >/dev/null 2>&1; then
        log "docker engine ready after ${i}s"
        exit 0
    fi
    sleep 1
done

log "ERROR: docker engine not ready after ${DOCKER_WAIT_SECS}s; last lines of $DOCKERD_LOG:"
tail -n 30 "$DOCKERD_LOG" >&2 || true
exit 1
