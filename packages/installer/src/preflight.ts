/**
 * Host checks before any change: each problem comes back as one line with its remedy,
 * and the installer stops with nothing changed (exit 1).
 */
import { accessSync, constants, readdirSync, readFileSync, statfsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { connect, createServer } from 'node:net'
import { arch as hostArch } from 'node:os'
import type { BundleInfo } from './bundle.js'
import type { Host } from './host.js'
import type { State } from './journal.js'
import type { Options } from './options.js'
import { DUMMY_ROUTE, edgemeshOn, hasDefaultRoute } from './steps/index.js'

export interface Preflight {
  /** Each stops the install (exit 1, nothing changed). */
  problems: string[]
  /** Printed; the install goes on. */
  warnings: string[]
}

/** EdgeMesh's relay tunnel port (edgemesh-agent on the relay nodes). */
export const RELAY_PORT = 20006

/** Whether `command` is an executable file in a PATH directory. */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some(dir => {
    try {
      accessSync(join(dir, command), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

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

/** The ports the side will listen on, each with what listens there. */
function sidePorts(bundle: BundleInfo, options: Options): Array<[number, string]> {
  if (bundle.side === 'edge')
    return [
      [10350, 'edgecore server'],
      ...(bundle.mosquitto.enabled ? [[1883, 'mosquitto'] as [number, string]] : [])
    ]
  // The cloud runs EdgeMesh's relay when it is a relay node: by default, or named in --relay-node.
  const relay =
    edgemeshOn({ options, bundle }) &&
    (options.relayNodes.length === 0 || options.relayNodes.some(r => r.name === options.nodeName))
  return [
    [6443, 'the Kubernetes API (k3s)'],
    [10000, 'CloudHub websocket'],
    [10001, 'CloudHub quic'],
    [10002, 'CloudHub https: certificates'],
    [10003, 'CloudStream stream'],
    [10004, 'CloudStream tunnel: edgeStream'],
    ...(relay ? [[RELAY_PORT, 'EdgeMesh relay'] as [number, string]] : [])
  ]
}

/** Ports the side listens on, and cluster processes already running. */
async function conflicts(bundle: BundleInfo, options: Options): Promise<string[]> {
  const problems: string[] = []
  for (const [port, owner] of sidePorts(bundle, options)) {
    if (!(await portFree(port)))
      problems.push(
        `port ${port} (${owner}) is in use: find the owner with ss -ltnp 'sport = :${port}' and stop it`
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

/**
 * The edge before keadm join: sudo, an empty /etc/kubeedge (unless a join of ours was cut
 * short: the re-run resets it) and a cloud that answers.
 */
async function edgeJoinReady(host: Host, options: Options, begun: boolean): Promise<string[]> {
  const problems: string[] = []
  if (!onPath('sudo'))
    problems.push(
      'sudo is not installed: keadm join runs `sudo systemctl ...` even as root; install the sudo package (apt-get install sudo, dnf install sudo)'
    )
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

/** k3s does not start without a default route (k3s air-gap docs). */
async function defaultRoute(host: Host, options: Options): Promise<string[]> {
  if (options.kubeconfig || options.addDefaultRoute || (await hasDefaultRoute(host))) return []
  const commands = DUMMY_ROUTE.map(args => `ip ${args.join(' ')}`).join('; ')
  return [
    `no default route: k3s will not start without one. Add one as k3s's air-gap docs say (${commands}), or run again with --add-default-route`
  ]
}

/** The cloud ports beyond the join ports, which an edge needs later: warnings only. */
async function edgeLaterPorts(options: Options, bundle: BundleInfo): Promise<string[]> {
  const cloud = options.cloudIp ?? ''
  const warnings: string[] = []
  if (!(await reachable(cloud, options.tunnelPort)))
    warnings.push(
      `the cloud ${cloud}:${options.tunnelPort} (CloudCore's tunnel, edgeStream: kubectl logs/exec) does not answer; open it in the cloud firewall`
    )
  if (edgemeshOn({ options, bundle }) && !(await reachable(cloud, RELAY_PORT)))
    warnings.push(
      `the cloud ${cloud}:${RELAY_PORT} (EdgeMesh relay) does not answer; open it where the relay runs (the cloud by default)`
    )
  return warnings
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
): Promise<Preflight> {
  const done = (step: string) => state.steps[step] !== undefined
  // A step cut short by a crash: what it left (edgecore, /etc/kubeedge) is its own, and the
  // re-run cleans it (keadm reset) before running it again.
  const begun = (step: string) => done(step) || state.started?.name === step
  const startStep =
    bundle.side === 'cloud' ? (options.kubeconfig ? 'keadm-init' : 'install-k3s') : 'keadm-join'
  const edgeJoin = bundle.side === 'edge' && !done('keadm-join')
  const problems = [
    ...basics(host, bundle),
    ...(begun(startStep) ? [] : await conflicts(bundle, options)),
    ...(bundle.side === 'cloud' && !done('install-k3s') ? await defaultRoute(host, options) : []),
    ...(edgeJoin ? await edgeJoinReady(host, options, begun('keadm-join')) : []),
    ...diskSpace(host, bundle)
  ]
  const warnings = edgeJoin ? await edgeLaterPorts(options, bundle) : []
  return { problems, warnings }
}
