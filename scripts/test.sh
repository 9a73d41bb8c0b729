#!/usr/bin/env bash
# Every test: set-up, the Rust core's unit tests, the emulator's own self-test, and the Node
# tests of the package against the emulator. Each test file starts and stops its own emulator.
set -euo pipefail
cd "$(dirname "$0")/.."

# The project's .npmrc silences npm (so `npm run pack` prints only paths); every npm command
# started from here shows its warnings and errors again.
export npm_config_loglevel=warn
bash scripts/setup.sh debug
# napi builds for an explicit --target (its own folder under target/); testing for the same
# target reuses every compiled dependency instead of building them all a second time.
cargo test --locked --workspace --target "$(rustc -vV | sed -n 's/^host: //p')"
node emulator/selftest.mjs
# The real upstream package for the differential tests, from its committed lockfile (npm ci), once.
node -e 'import("./__test__/support/sandbox.mjs").then((m) => m.ensureUpstream())'
# The release addon and the packed tarball, once, before the test files run in parallel
# (package.test.mjs and cli.test.mjs install the tarball; the other tests load the same .node).
bash scripts/pack.sh >/dev/null
# The benchmark still runs (a small N; its figures are not checked: benchmarks are not timed tests).
node bench/run.mjs --quick --out .cache/bench-quick
# Last, so the test runner's summary closes the output.
node --test --test-concurrency=2 __test__/*.test.mjs
