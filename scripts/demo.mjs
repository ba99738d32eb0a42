#!/usr/bin/env node
// npm run demo -- [options]: answers --help at once; otherwise installs the Debian tools the
// demo drives (scripts/ensure-tools.sh), builds (tsc + dist), and runs test/.build/demo.js.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const USAGE = `usage: npm run demo -- [--out DIR] [--side cloud|edge] [--arch amd64|arm64] [--no-install]

Builds offline KubeEdge bundles on this machine with no network, through the same action
entry points a workflow runs: a local registry holds synthetic images under their real
names, a loopback file server holds STAND-IN release assets with real checksum files.
With no --side/--arch it builds all four bundles. Then, unless --no-install, it installs
this machine's edge bundle into a temporary root (real containerd; systemctl, keadm and
ip are recording stubs) and runs verify; upgrades another root from KubeEdge v1.22.0 to
the pinned release through a delta bundle; and, with the cloud bundle built, rolls out
1 cloud + 2 edges with Ansible over a real sshd on 127.0.0.1, then runs it again.

  --out DIR      where the bundles (and the demo install's log) go (default kedge-demo-out)
  --side S       cloud or edge (default: both)
  --arch A       amd64 or arm64 (default: both)
  --no-install   build only
  -h, --help     this help`

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE)
  process.exit(0)
}
const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const step = (command, commandArgs) => {
  const result = spawnSync(command, commandArgs, { cwd: repo, stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
step('bash', [join(repo, 'scripts', 'ensure-tools.sh')])
step(process.execPath, [join(repo, 'scripts', 'build.mjs')])
const demo = spawnSync(process.execPath, [join(repo, 'test', '.build', 'demo.js'), ...args], {
  stdio: 'inherit'
})
process.exit(demo.status ?? 1)
