#!/usr/bin/env bash
# Installs everything the project needs and builds the native addon. Safe to re-run: each
# step is skipped when already done. Usage: scripts/setup.sh [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-release}"

# npm packages, exactly as locked; install scripts stay off (nothing here needs one).
lock_stamp="node_modules/.seed-lock-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -e "$lock_stamp" ]; then
  npm ci --ignore-scripts --no-audit --no-fund
  touch "$lock_stamp"
fi

# The local AWS emulator (moto) in a git-ignored virtualenv.
bash emulator/ensure-venv.sh

# The addon. Tests use the debug profile so its dependencies are shared with `cargo test`.
# --locked: Cargo.lock is the truth, a build never changes it (it fails instead). --no-js: napi
# writes only the type declarations; loader.cjs (ours) loads the .node file.
if [ "$profile" = release ]; then
  npx napi build --platform --release --no-js --dts binding.d.ts -- --locked
else
  npx napi build --platform --no-js --dts binding.d.ts -- --locked
fi
