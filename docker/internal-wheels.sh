#!/bin/sh
# Builder stage only: build a wheel of every internal package at its locked commit
# and install them under a prefix that the runtime stage copies onto its venv.
# Usage: internal-wheels.sh LIST WHEEL_DIR PREFIX
# LIST lines: "<name> <git url> <tag> <commit>" (release-tool images --export-dir).
set -eu
list=$1 wheels=$2 prefix=$3
# Tests redirect the package repositories through a build secret; production needs none.
if [ -s /run/secrets/gitconfig ]; then
  GIT_CONFIG_GLOBAL=/run/secrets/gitconfig
  export GIT_CONFIG_GLOBAL
fi
mkdir -p "$wheels"
while read -r name url tag commit; do
  [ -n "$name" ] || continue
  src="/tmp/src/$name"
  git init -q "$src"
  git -C "$src" fetch -q --depth 1 "$url" "refs/tags/$tag:refs/tags/$tag"
  found=$(git -C "$src" rev-parse "refs/tags/$tag^{commit}")
  if [ "$found" != "$commit" ]; then
    echo "internal-wheels: $name tag $tag is at $found but the lock says $commit" >&2
    exit 1
  fi
  git -C "$src" -c advice.detachedHead=false checkout -q "$commit"
  uv build --quiet --wheel --out-dir "$wheels" "$src"
done < "$list"
uv pip install --no-deps --python /opt/venv/bin/python --prefix "$prefix" "$wheels"/*.whl
