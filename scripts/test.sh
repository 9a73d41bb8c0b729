#!/usr/bin/env bash
# Every test: set-up, the Rust core's unit tests, the emulator's own self-test, and the Node
# tests of the package against the emulator. Each test file starts and stops its own emulator.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh debug
cargo test --workspace
node emulator/selftest.mjs
node --test --test-concurrency=2 __test__/*.test.mjs
