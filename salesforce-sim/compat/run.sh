#!/usr/bin/env bash
# Checks the simulator against a widely used Salesforce client written by others: jsforce (npm), used
# exactly as its docs say, pointed at a fresh simulator with 4,500 seeded contacts. Run by scripts/test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
if [ ! -d node_modules/jsforce ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/../../target}"
cargo build --quiet --manifest-path ../Cargo.toml --bin salesforce-sim
# The simulator's first stdout line is `listening on URL`; reading it is the signal that it is ready.
exec 3< <(exec "$CARGO_TARGET_DIR/debug/salesforce-sim" --client-id compat --client-secret s3cret --seed-contacts 4500)
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
read -r first_line <&3
url="${first_line#listening on }"
node jsforce-check.mjs "$url" compat s3cret
