# Shared set-up for scripts/run and scripts/test (sourced, not run). Every step checks first and skips
# itself when the tool is already there at the right version, so a warm machine pays nothing.
# Versions: ../shared/docs/toolchain.md explains why each one is pinned.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
WASM_BINDGEN_VERSION="0.2.129"

# Builds go to a target directory outside the checkout, so a fresh clone (CI's) on a machine that has built
# before reuses the compiled dependencies. On a new machine this changes nothing.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/komo-sync/target}"
mkdir -p "$CARGO_TARGET_DIR/debug/deps"
export PATH="$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Incremental artifacts only help repeated edits of one checkout; in these scripts they just fill the disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# Each integration-test binary links the whole app (about 1 GB); every change of ours leaves the previous
# ones behind. Drop large artifacts untouched for two hours so a long-lived machine's disk stays flat;
# cargo relinks whatever it still needs.
find "$CARGO_TARGET_DIR/debug/deps" -maxdepth 1 -type f -size +200M -mmin +120 -delete 2>/dev/null || true
rm -rf "$CARGO_TARGET_DIR/debug/incremental"

# Cargo decides whether our own crates are fresh by comparing source mtimes with its last build. When the
# shared target directory was last used by another checkout, a file edited here before that build looks
# older than it and would be skipped. Touching our sources then makes the comparison honest again; the
# dependencies, the slow part, stay cached.
if [ "$(cat "$CARGO_TARGET_DIR/.komo-checkout" 2>/dev/null)" != "$ROOT" ]; then
  find "$ROOT/app" "$ROOT/server" "$ROOT/shared" "$ROOT/salesforce-sim" -type f \( -name '*.rs' -o -name '*.sql' -o -name 'Cargo.toml' \) \
    -exec touch {} +
  echo "$ROOT" > "$CARGO_TARGET_DIR/.komo-checkout"
fi

step() { printf '\n\033[1;35m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1
  fi
}

ensure_rust() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy
  rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
}

ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -qx "cargo-leptos $CARGO_LEPTOS_VERSION"; then
    step "installing cargo-leptos $CARGO_LEPTOS_VERSION (first time only, about 20 minutes)"
    # no_downloads: every tool it needs comes from PATH; a missing one is an error, not a download.
    cargo install "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
    step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (must equal the wasm-bindgen crate)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
  fi
}

# Playwright and binaryen's wasm-opt (Debian's binaryen is too old: its output fails to hydrate).
ensure_node_modules() {
  if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] \
     || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    step "installing end2end node modules (Playwright, binaryen)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    step "installing Debian's chromium for the browser tests"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
  fi
}

ensure_build_tools() {
  ensure_rust
  ensure_node_modules
  ensure_cargo_leptos
}
