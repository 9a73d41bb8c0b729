#!/usr/bin/env bash
# Builds the release addon and packs the npm package the way it would be published:
#   npm run build, then npm pack into <repo>/.cache/pack. Prints the tarball's path (only that,
#   on stdout; build and npm output go to stderr).
#
# Usage: scripts/pack.sh [--reuse]
#   --reuse  print the existing tarball without building when it is newer than the .node file
#            and every other file it packs (what the tests use; plain pack.sh always rebuilds).
#
# The tarball must hold the entries, the loader, the generated types, the .node file, README.md and
# package.json; anything missing fails here, not in a user's install. One pack at a time
# (flock), and the tarball is moved into place whole, so a reader never sees half a file.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
dest="$repo/.cache/pack"
mkdir -p "$dest"

reuse=false
for arg in "$@"; do
  case "$arg" in
    --reuse) reuse=true ;;
    *) echo "usage: scripts/pack.sh [--reuse]" >&2; exit 2 ;;
  esac
done

exec 9>"$dest/.lock"
flock 9

name="$(node -p 'const p = require("./package.json"); `${p.name.replace(/^@/, "").replace("/", "-")}-${p.version}.tgz`')"
tarball="$dest/$name"
packed_inputs=(index.mjs index.cjs index.d.ts amplify-bridge.mjs prompt.mjs loader.cjs bin/amplify-seed.mjs binding.d.ts README.md package.json)

if $reuse && [ -f "$tarball" ]; then
  stale=false
  shopt -s nullglob
  nodes=(./*.node)
  shopt -u nullglob
  [ "${#nodes[@]}" -gt 0 ] || stale=true
  for input in "${packed_inputs[@]}" "${nodes[@]}"; do
    if [ ! -e "$input" ] || [ "$input" -nt "$tarball" ]; then stale=true; fi
  done
  if ! $stale; then
    echo "$tarball"
    exit 0
  fi
fi

npm run build >&2

tmp="$(mktemp -d "$dest/.pack-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
npm pack --pack-destination "$tmp" --json > "$tmp/pack.json"

# Check what went in before anyone installs it.
node - "$tmp/pack.json" "${packed_inputs[@]}" <<'EOF'
const [, , report, ...required] = process.argv;
const [pack] = JSON.parse(require("node:fs").readFileSync(report, "utf8"));
const files = pack.files.map((f) => f.path);
const missing = required.filter((f) => !files.includes(f));
if (!files.some((f) => f.endsWith(".node"))) missing.push("*.node");
if (missing.length > 0) {
  console.error(`scripts/pack.sh: ${pack.filename} lacks ${missing.join(", ")}; fix "files" in package.json`);
  process.exit(1);
}
console.error(`packed ${pack.filename}: ${pack.size} bytes, ${files.length} files (${files.join(", ")})`);
EOF

packed="$(node -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))[0].filename' "$tmp/pack.json")"
mv -f "$tmp/$packed" "$dest/$packed"
echo "$dest/$packed"
