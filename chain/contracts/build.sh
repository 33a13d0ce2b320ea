#!/bin/sh
# Rebuild the test ERC-20's ABI and bytecode (committed; tests need no Node):
#   sh chain/contracts/build.sh
# Installs the pinned npm `solc` (solcjs) in a temporary folder, compiles, cleans up.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm init -y >/dev/null
npm install --silent solc@0.8.26 >/dev/null
node "$here/build.mjs"
