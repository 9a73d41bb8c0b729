#!/usr/bin/env bash
# Make sure <repo>/.venv exists and has moto[server] (and gmpy2, the SRP patch's fast modexp) in it. Idempotent and quiet on success:
# tests and CI call it before every emulator start, so the fast path is one python import.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="$REPO_DIR/.venv"
MOTO_SPEC='moto[server]==5.2.1'
GMPY_SPEC='gmpy2==2.3.2'  # a manylinux wheel from PyPI, no compiler needed

has_moto() { [ -x "$VENV_DIR/bin/python" ] && "$VENV_DIR/bin/python" -c 'import moto, gmpy2' >/dev/null 2>&1; }

has_moto && exit 0

# Parallel test workers may all get here at once: let one install while the others wait.
mkdir -p "$VENV_DIR"
exec 9>"$VENV_DIR/.ensure-venv.lock"
command -v flock >/dev/null && flock 9
has_moto && exit 0

# Everything goes to stderr so callers that parse our stdout never see pip's chatter.
if [ ! -x "$VENV_DIR/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$VENV_DIR" >&2
fi
"$VENV_DIR/bin/python" -m pip install -q "$MOTO_SPEC" "$GMPY_SPEC" >&2
