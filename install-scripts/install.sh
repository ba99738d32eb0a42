#!/bin/sh
# kedge bundle installer wrapper: runs install.js with node >= 18.
# Uses node from PATH when it is new enough, else the runtime shipped in runtime/.
# POSIX sh (dash, busybox sh); no bashisms. The bundle build fills in the runtime name.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$here/install.js" ]; then
  echo "install.sh: $here/install.js is missing: this bundle was built without the installer." >&2
  exit 2
fi
node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || return 1
  [ "$major" -ge 18 ] 2>/dev/null
}
if node_ok; then
  exec node "$here/install.js" "$@"
fi
runtime="$here/runtime/@NODE_TARBALL@"
if [ ! -f "$runtime" ]; then
  echo "install.sh: no node >= 18 in PATH and no runtime at $runtime" >&2
  exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kedge-node.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
tar -xzf "$runtime" -C "$tmp"
node_bin=$(find "$tmp" -path '*/bin/node' -type f | head -n 1)
if [ -z "$node_bin" ]; then
  echo "install.sh: $runtime holds no bin/node" >&2
  exit 2
fi
"$node_bin" "$here/install.js" "$@"
