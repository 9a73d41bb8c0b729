#!/usr/bin/env bash
# `npm run pack`: builds the release addon and packs the package as it is published (see
# scripts/pack.mjs): prints the main package's tarball and this machine's binary package's
# tarball, one path per line, main first. Other tooling installs exactly those.
#
# Usage: scripts/pack.sh [--reuse]
#   --reuse  print the existing tarballs without building when they are up to date.
#
# One pack at a time (flock), and each tarball is moved into place whole, so a reader never
# sees half a file.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache/pack
exec 9>".cache/pack/.lock"
flock 9
node scripts/pack.mjs "$@"
