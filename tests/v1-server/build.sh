#!/usr/bin/env bash
# Builds the last v1 server, the release before the v1.1 migrations, from
# this repository's own history (no network beyond crates.io), and prints
# the binary's path. tests/api/live_migration.rs runs it under load while
# the v1.1 migrations are applied. Idempotent: a built binary is reused.
# .ci/run calls it before the tests, so that this build does not compete
# with them for the CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
# main before the first v1.1 commit.
revision=51ee1a06a9ecb35dece13ef7aa19d8c34bf63557
out="$PWD/target/v1-server"
binary="$out/target/debug/reviewpoint"
if [ -x "$binary" ] && [ "$(cat "$out/revision" 2>/dev/null)" = "$revision" ]; then
  echo "$binary"; exit 0
fi
git cat-file -e "$revision^{commit}" 2>/dev/null || {
  echo "v1-server: commit $revision is not in this clone (a shallow clone?); fetch the history" >&2; exit 1
}
rm -rf "$out/src"; mkdir -p "$out/src"
git archive "$revision" | tar -x -C "$out/src"
started=$(date +%s)
# Its own target folder, and none of the settings of a cargo that may be
# running the tests (coverage flags, its target folder).
env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET_DIR -u LLVM_PROFILE_FILE \
  -u CARGO_LLVM_COV -u CARGO_LLVM_COV_TARGET_DIR -u RUSTC_WRAPPER -u RUSTC_WORKSPACE_WRAPPER \
  cargo build --quiet --locked --manifest-path "$out/src/Cargo.toml" --target-dir "$out/target" \
    -p reviewpoint --no-default-features --bin reviewpoint >&2
echo "$revision" > "$out/revision"
echo "v1-server: built in $(( $(date +%s) - started )) s" >&2
echo "$binary"
