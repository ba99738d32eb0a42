#!/bin/sh
# kedge bundle installer wrapper: runs install.js with node >= 18.
# Uses node from PATH when it is new enough, else the runtime shipped in runtime/.
# POSIX sh (dash, busybox sh); no bashisms. The bundle build fills in the runtime name.
set -eu
# keadm spawns tools from /usr/local/bin, where the installer places them; RHEL's sudo
# secure_path leaves it out of PATH.
case ":$PATH:" in
  *:/usr/local/bin:*) ;;
  *) PATH="$PATH:/usr/local/bin" && export PATH ;;
esac
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
# The bundled Node.js (an official build) needs glibc >= 2.28: say so instead of a loader error.
supported="supported: Debian 10+, Ubuntu 20.04+, RHEL/Rocky/AlmaLinux/Oracle Linux 8+, Fedora 29+, openEuler 20.03+, Amazon Linux 2023 (glibc >= 2.28, systemd)"
glibc_version() {
  v=$(getconf GNU_LIBC_VERSION 2>/dev/null) || v=''
  case "$v" in
    "glibc "*) echo "${v#glibc }" && return 0 ;;
  esac
  v=$(ldd --version 2>&1 | head -n 1) || v=''
  case "$v" in
    *GLIBC* | *"GNU libc"*) echo "${v##* }" && return 0 ;;
  esac
  return 1
}
glibc_ok() {
  major=${1%%.*}
  rest=${1#*.}
  minor=${rest%%[!0-9]*}
  [ "$major" -gt 2 ] 2>/dev/null || { [ "$major" -eq 2 ] && [ "$minor" -ge 28 ]; } 2>/dev/null
}
if ! glibc=$(glibc_version); then
  echo "install.sh: no node >= 18 in PATH, and the bundled Node.js needs glibc >= 2.28: this host has no glibc (musl?). $supported; or put a node >= 18 built for this OS on PATH." >&2
  exit 2
fi
if ! glibc_ok "$glibc"; then
  echo "install.sh: no node >= 18 in PATH, and the bundled Node.js needs glibc >= 2.28: this host has glibc $glibc. $supported; or put a node >= 18 built for this OS on PATH." >&2
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
