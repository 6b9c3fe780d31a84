#!/bin/sh
# setup-node.sh - installs the npm packages of this folder's package-lock.json
# (the @elastic/ecs definitions check-ecs.js reads) once per content of
# package.json and package-lock.json, into a cache folder that outlives the
# build tree, and prints the node_modules folder on standard output.
#
# Cache: $PG_TEST_CACHE, else $XDG_CACHE_HOME/procguard, else
# ~/.cache/procguard. A folder per content hash: a changed lock file gets a
# fresh install, an unchanged one costs nothing. Test-only; never shipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${PG_TEST_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/procguard}
key=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-16)
dir="$cache/ecs-node-$key"
if [ ! -f "$dir/node_modules/@elastic/ecs/generated/ecs_flat.js" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup-node: npm is missing (tools/deps.sh installs it)" >&2
    exit 1
  fi
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.ecs-node.XXXXXX")
  cp "$here/package.json" "$here/package-lock.json" "$tmp/"
  if ! (cd "$tmp" && timeout 300 npm ci --no-audit --no-fund --ignore-scripts >&2); then
    rm -rf "$tmp"
    echo "setup-node: npm ci failed" >&2
    exit 1
  fi
  # Another run may have finished first: keep its copy.
  mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
fi
echo "$dir/node_modules"
