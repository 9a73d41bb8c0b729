#!/usr/bin/env bash
# The main job on a local default: installs what is needed, builds the addon (release), starts
# the emulator, deploys a demo sandbox and seeds it through this package.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh release
node --no-warnings demo/run.mjs "$@"
