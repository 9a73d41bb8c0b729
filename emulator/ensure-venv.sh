#!/usr/bin/env bash
# Make sure <repo>/.venv exists and has emulator/requirements.txt installed: moto[server], gmpy2 (the
# SRP patch's fast modexp) and every transitive dependency, pinned and hash-checked
# (pip --require-hashes). Idempotent and quiet on success: tests and CI call it before every
# emulator start, so the fast path is one sha256 of requirements.txt and one python import.
# A stamp file in the venv holds the sha256 of the requirements.txt last installed; any change
# to that file means a reinstall.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="$REPO_DIR/.venv"
REQUIREMENTS="$REPO_DIR/emulator/requirements.txt"
STAMP="$VENV_DIR/.seedtest-requirements.sha256"

wanted() {
  if command -v sha256sum >/dev/null; then sha256sum "$REQUIREMENTS"; else shasum -a 256 "$REQUIREMENTS"; fi | cut -d' ' -f1
}

is_good() {
  [ -x "$VENV_DIR/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(wanted)" ] \
    && "$VENV_DIR/bin/python" -c 'import moto, gmpy2' >/dev/null 2>&1
}

is_good && exit 0

# Parallel test workers may all get here at once: let one install while the others wait.
mkdir -p "$VENV_DIR"
exec 9>"$VENV_DIR/.ensure-venv.lock"
command -v flock >/dev/null && flock 9
is_good && exit 0

# Everything goes to stderr so callers that parse our stdout never see pip's chatter.
if [ ! -x "$VENV_DIR/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$VENV_DIR" >&2
fi
rm -f "$STAMP"
"$VENV_DIR/bin/python" -m pip install -q --require-hashes -r "$REQUIREMENTS" >&2
wanted > "$STAMP"
