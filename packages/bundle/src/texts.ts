/** The text files every bundle carries: install.sh and README.txt. */
import type { Arch, BundleSpec, Side } from './spec.js'

/**
 * install.sh: runs install.js with node >= 18 from PATH, or else with the node runtime in
 * runtime/ (unpacked to a temporary directory). POSIX sh; no bashisms.
 */
export function installSh(nodeTarball: string): string {
  // The name lands in a shell script: only a plain file name (spec versions are checked too).
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,200}$/.test(nodeTarball))
    throw new Error(
      `install.sh: the node runtime's file name ${JSON.stringify(nodeTarball)} is not a plain file name (letters, digits, . _ + -); check versions.node and sources.node in the spec`
    )
  return `#!/bin/sh
# kedge bundle installer wrapper: runs install.js with node >= 18.
# Uses node from PATH when it is new enough, else the runtime shipped in runtime/.
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
runtime="$here/runtime/${nodeTarball}"
if [ ! -f "$runtime" ]; then
  echo "install.sh: no node >= 18 in PATH and no runtime at $runtime" >&2
  exit 2
fi
tmp=$(mktemp -d "\${TMPDIR:-/tmp}/kedge-node.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
tar -xzf "$runtime" -C "$tmp"
node_bin=$(find "$tmp" -path '*/bin/node' -type f | head -n 1)
if [ -z "$node_bin" ]; then
  echo "install.sh: $runtime holds no bin/node" >&2
  exit 2
fi
"$node_bin" "$here/install.js" "$@"
`
}

/** README.txt: the offline install steps for this side, and how to verify. */
export function readmeTxt(
  spec: BundleSpec,
  side: Side,
  arch: Arch,
  name: string,
  hasInstaller: boolean
): string {
  const v = spec.versions
  const lines = [
    name,
    '='.repeat(name.length),
    '',
    `KubeEdge ${v.kubeedge} ${side} bundle for linux/${arch}, built by kedge for offline (air-gapped) installs.`,
    side === 'cloud'
      ? `Contents: k3s ${v.k3s} and its images, keadm, CloudCore images, EdgeMesh ${v.edgemesh} (chart, agent image, Istio CRDs), helm, a node runtime.`
      : `Contents: containerd ${v.containerd}, runc ${v.runc}, CNI plugins ${v.cni}, keadm, the installation-package, pause${spec.mosquitto.enabled ? ', mosquitto' : ''} and edgemesh-agent images, a node runtime.`,
    '',
    '1. Check the bundle (on the target host, inside this directory):',
    '     sha256sum -c SHA256SUMS',
    '',
    '2. Install (as root; install.sh uses node >= 18 from PATH, or the bundled runtime):',
    side === 'cloud'
      ? '     sudo ./install.sh cloud --advertise-address <this host IP> --yes'
      : '     sudo ./install.sh edge --cloudcore-ipport <cloud IP>:10000 --token-file edge-token.txt --yes',
    side === 'cloud'
      ? '   It prints the edge join command and writes it to edge-join.txt (mode 0600).'
      : '   Take the token from the cloud host (edge-join.txt there, or keadm gettoken).',
    '',
    '3. Verify:',
    `     sudo ./install.sh verify`,
    side === 'cloud'
      ? '     kubectl get nodes; kubectl -n kubeedge get pods  (cloudcore Running)'
      : '     systemctl status edgecore containerd; on the cloud: kubectl get nodes (this node Ready)',
    '',
    'Plan only (no change): ./install.sh plan',
    ''
  ]
  if (!hasInstaller) {
    lines.push(
      'NOTE: this bundle was built without install.js (the installer had not been built);',
      'its place is install.js beside this file. Everything else is complete.',
      ''
    )
  }
  lines.push(
    'meta/bundle.json lists every image (with digests) and file (with sha256) in this bundle.',
    ''
  )
  return lines.join('\n')
}
