#!/usr/bin/env bash
# Build the PostgreSQL 17 test image without any container registry:
# debootstrap a Debian trixie rootfs with postgresql-17 from the machine's
# Debian mirror, `docker import` it, then add Dockerfile's thin layer.
# Idempotent: exits quickly when the image already exists and is current.
#
# Env: REVIEWPOINT_TEST_IMAGE   image to build (default reviewpoint-postgres:17)
#      REVIEWPOINT_DEBIAN_MIRROR  override the mirror read from apt's sources
set -euo pipefail

# debootstrap lives in /usr/sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=${REVIEWPOINT_TEST_IMAGE:-reviewpoint-postgres:17}
SUITE=trixie   # Debian release whose main archive ships postgresql-17
# util-linux: setpriv for the entrypoint; locales: lets a test compile a
# non-English locale (localedef) to see the server answer in German.
PACKAGES=postgresql-17,util-linux,locales
# Server message catalogues kept; the other translations are dropped.
KEEP_TRANSLATIONS=de

log() { echo "[postgres-image] $*" >&2; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# Split NAME[:TAG]; a ':' before the last '/' is a registry port, not a tag.
if [[ ${IMAGE##*/} == *:* ]]; then
    NAME=${IMAGE%:*} TAG=${IMAGE##*:}
else
    NAME=$IMAGE TAG=latest
fi
# The base's tag names its recipe too, so a change of packages rebuilds it.
BASE_RECIPE=$(echo "$SUITE $PACKAGES $KEEP_TRANSLATIONS" | sha256sum | cut -c1-12)
BASE="$NAME-base:$TAG-$BASE_RECIPE"

# Rebuild the thin layer whenever the Dockerfile or entrypoint change, so a
# stale image left on a developer's machine is not silently reused.
RECIPE=$({ echo "$BASE"; cat "$HERE/Dockerfile" "$HERE/docker-entrypoint.sh"; } | sha256sum | cut -c1-16)

t_all=$(now)
"$HERE/ensure-docker.sh"

# Serialise concurrent builds (e.g. several test binaries calling this).
exec 9>"/tmp/reviewpoint-postgres-image.lock"
flock 9

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

if have_image "$IMAGE"; then
    current=$(docker image inspect -f '{{ index .Config.Labels "reviewpoint.recipe" }}' "$IMAGE" 2>/dev/null || true)
    if [[ $current == "$RECIPE" ]]; then
        log "image $IMAGE already exists; nothing to do"
        exit 0
    fi
    log "image $IMAGE exists but is from another recipe ($current != $RECIPE); rebuilding top layer"
fi

# The mirror apt already uses on this machine (deb822 first, then one-line
# format); the security archive cannot bootstrap, so skip it.
detect_mirror() {
    local m=
    if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
        m=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
            /etc/apt/sources.list.d/debian.sources)
    fi
    if [[ -z $m && -r /etc/apt/sources.list ]]; then
        m=$(awk '$1 == "deb" {
                for (i = 2; i <= NF; i++) {
                    if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; continue }
                    if ($i !~ /security/) { print $i; exit }
                    break
                } }' /etc/apt/sources.list)
    fi
    # debootstrap only fetches over http(s).
    [[ $m =~ ^https?:// ]] || m=http://deb.debian.org/debian
    echo "${m%/}"
}

if have_image "$BASE"; then
    log "base image $BASE already exists; reusing it"
else
    MIRROR=${REVIEWPOINT_DEBIAN_MIRROR:-$(detect_mirror)}
    # On disk (not a tmpfs /tmp): the rootfs is several hundred MB.
    ROOTFS=$(mktemp -d /var/tmp/reviewpoint-pg-rootfs.XXXXXX)
    cleanup() {
        # A failed debootstrap can leave proc/sys mounted inside the rootfs;
        # unmount before deleting so rm never walks into the host's /proc.
        awk -v r="$ROOTFS" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
            while read -r mnt; do umount -l "$mnt" || true; done
        rm -rf --one-file-system "$ROOTFS"
    }
    trap cleanup EXIT

    log "debootstrap $SUITE from $MIRROR into $ROOTFS"
    t=$(now)
    if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR" \
        >"$ROOTFS.log" 2>&1; then
        log "ERROR: debootstrap failed; last lines of $ROOTFS.log:"
        tail -n 30 "$ROOTFS.log" >&2
        [[ -f $ROOTFS/debootstrap/debootstrap.log ]] && tail -n 30 "$ROOTFS/debootstrap/debootstrap.log" >&2
        exit 1
    fi
    rm -f "$ROOTFS.log"
    log "debootstrap: $(took "$t")"

    # Drop what a test server never needs: the cluster postgresql-common
    # created at install time, package caches and lists, docs.
    rm -rf "$ROOTFS"/var/lib/postgresql/[0-9]* "$ROOTFS"/etc/postgresql/[0-9]*/main \
        "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
        "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/debootstrap
    find "$ROOTFS"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name "$KEEP_TRANSLATIONS" -exec rm -rf {} +

    log "docker import -> $BASE"
    t=$(now)
    tar --numeric-owner -C "$ROOTFS" -c . | docker import - "$BASE" >/dev/null
    log "import: $(took "$t")"
    t=$(now)
    cleanup
    trap - EXIT
    log "cleanup: $(took "$t")"
fi

old_id=$(docker image inspect -f '{{ .Id }}' "$IMAGE" 2>/dev/null || true)
log "docker build -> $IMAGE"
t=$(now)
# Classic builder on purpose: Debian's docker.io has no buildx, and BuildKit
# would fail without it (and would try to pull frontend images).
DOCKER_BUILDKIT=0 docker build -q \
    --build-arg BASE_IMAGE="$BASE" \
    --label reviewpoint.recipe="$RECIPE" \
    -t "$IMAGE" "$HERE" >/dev/null
log "build: $(took "$t")"
if [[ -n $old_id && $old_id != "$(docker image inspect -f '{{ .Id }}' "$IMAGE")" ]]; then
    # The replaced image is now untagged; drop it unless a container uses it.
    docker rmi "$old_id" >/dev/null 2>&1 || true
fi
log "image $IMAGE ready (total $(took "$t_all"))"
