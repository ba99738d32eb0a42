/**
 * Host checks before any change: each problem comes back as one line with its remedy,
 * and the installer stops with nothing changed (exit 1).
 */
import { readdirSync, readFileSync, statfsSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { arch as hostArch } from 'node:os'
import type { BundleInfo } from './bundle.js'
import type { Host } from './host.js'
import type { State } from './journal.js'
import type { Options } from './options.js'

function portFree(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer()
    server.once('error', () => {
      resolve(false)
    })
    server.listen(port, '0.0.0.0', () => {
      server.close(() => {
        resolve(true)
      })
    })
  })
}

export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host, port, timeout: 3000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => {
      resolve(false)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

/** Names of running processes (from /proc). */
function runningProcesses(): Set<string> {
  const names = new Set<string>()
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue
      try {
        names.add(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return names
}

/** Root, arch and systemd. */
function basics(host: Host, bundle: BundleInfo): string[] {
  const problems: string[] = []
  const underRoot = host.root !== '' && host.root !== '/'
  if (!underRoot && process.getuid?.() !== 0)
    problems.push('not running as root: run it with sudo (or --root DIR for a prefix)')
  const mine = hostArch() === 'x64' ? 'amd64' : hostArch()
  if (mine !== bundle.arch)
    problems.push(`this host is ${mine}, the bundle is for ${bundle.arch}: use the ${mine} bundle`)
  if (!host.exists('/run/systemd/system'))
    problems.push(
      'systemd is not running here (no /run/systemd/system): the installer needs systemd'
    )
  return problems
}

/** Ports the side listens on, and cluster processes already running. */
async function conflicts(bundle: BundleInfo, options: Options): Promise<string[]> {
  const problems: string[] = []
  const ports =
    bundle.side === 'cloud'
      ? [6443, 10000, 10001, 10002, 10003, 10004]
      : [10350, ...(bundle.mosquitto.enabled ? [1883] : [])]
  for (const port of ports) {
    if (!(await portFree(port)))
      problems.push(
        `port ${port} is in use: find the owner with ss -ltnp 'sport = :${port}' and stop it`
      )
  }
  const procs = runningProcesses()
  const names =
    bundle.side === 'cloud' && options.kubeconfig ? ['edgecore'] : ['k3s', 'kubelet', 'edgecore']
  for (const name of names) {
    if (procs.has(name))
      problems.push(
        `${name} is already running: uninstall it first (k3s-uninstall.sh, keadm reset) or use another host`
      )
  }
  return problems
}

/** The edge before keadm join: an empty /etc/kubeedge and a cloud that answers. */
async function edgeJoinReady(host: Host, options: Options, begun: boolean): Promise<string[]> {
  const problems: string[] = []
  const kubeedge = host.exists('/etc/kubeedge') && readdirSync(host.path('/etc/kubeedge')).length
  if (kubeedge && !begun) {
    problems.push(
      '/etc/kubeedge is not empty: keadm join needs it empty; run keadm reset (or move it away) first'
    )
  }
  for (const port of [options.cloudPort, options.certPort]) {
    if (!(await reachable(options.cloudIp ?? '', port))) {
      problems.push(
        `the cloud ${options.cloudIp ?? ''}:${port} does not answer: check the address, the cloud firewall (10000 and 10002) and that cloudcore runs`
      )
    }
  }
  return problems
}

function diskSpace(host: Host, bundle: BundleInfo): string[] {
  const need = bundle.images.reduce((n, i) => n + i.size, 0) * 2
  try {
    const fs = statfsSync(host.path('/'))
    if (fs.bavail * fs.bsize < need)
      return [
        `not enough disk space: ${Math.ceil(need / 1048576)} MiB needed under ${host.path('/')}`
      ]
  } catch {
    // statfs unavailable: skip
  }
  return []
}

/** Host checks before any change; returns the problems, each with advice. */
export async function preflight(
  host: Host,
  bundle: BundleInfo,
  options: Options,
  state: State
): Promise<string[]> {
  const done = (step: string) => state.steps[step] !== undefined
  // A step cut short by a crash: what it left (edgecore, /etc/kubeedge) is its own, and the
  // re-run cleans it (keadm reset) before running it again.
  const begun = (step: string) => done(step) || state.started?.name === step
  const startStep =
    bundle.side === 'cloud' ? (options.kubeconfig ? 'keadm-init' : 'install-k3s') : 'keadm-join'
  return [
    ...basics(host, bundle),
    ...(begun(startStep) ? [] : await conflicts(bundle, options)),
    ...(bundle.side === 'edge' && !done('keadm-join')
      ? await edgeJoinReady(host, options, begun('keadm-join'))
      : []),
    ...diskSpace(host, bundle)
  ]
}
