#!/usr/bin/env bash
# The main job on a local default: installs what is needed, builds the addon (release), starts
# the emulator, deploys a demo sandbox and seeds it through this package.
set -euo pipefail
cd "$(dirname "$0")/.."
# The project's .npmrc silences npm (so `npm run pack` prints only paths); every npm command
# started from here shows its warnings and errors again.
export npm_config_loglevel=warn
bash scripts/setup.sh release
node --no-warnings demo/run.mjs "$@"
