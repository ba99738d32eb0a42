/**
 * Command line: node install.js cloud|edge|plan|verify|uninstall [options].
 * Every bad flag is a UsageError (exit 2) with what was expected, before any change.
 */
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'
import { parseArgs } from 'node:util'
import { HELP } from './help.js'

export { HELP } from './help.js'

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export const COMMANDS = ['cloud', 'edge', 'plan', 'verify', 'uninstall', 'upgrade'] as const
export type Command = (typeof COMMANDS)[number]

export interface Options {
  command: Command
  /** The side to act on (the bundle's by default). */
  side?: 'cloud' | 'edge'
  yes: boolean
  dryRun: boolean
  json: boolean
  purge: boolean
  /** upgrade --rollback */
  rollback: boolean
  root: string
  logFile?: string
  /** Where the bundle is (default: beside install.js). */
  bundleDir?: string
  containerdAddress: string
  // cloud
  advertiseAddress: string[]
  nodeName: string
  edgemesh?: boolean
  relayNodes: Array<{ name: string; addresses: string[] }>
  kubeconfig?: string
  disableTraefik: boolean
  // edge
  cloudIp?: string
  cloudPort: number
  certPort: number
  token?: string
  cgroupDriver: 'cgroupfs' | 'systemd'
  labels: string[]
}

/** KubeEdge's token: the CA hash (64 hex), a dot, a JWT. */
export const TOKEN = /^[a-f0-9]{64}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

function primaryIp(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return undefined
}

function ip(value: string, flag: string): string {
  if (!isIP(value)) throw new UsageError(`${flag}: "${value}" is not an IP address`)
  return value
}

function port(value: string, flag: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`${flag}: "${value}" is not a port (1-65535)`)
  return n
}

const FLAGS = {
  help: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  purge: { type: 'boolean' },
  rollback: { type: 'boolean' },
  'log-file': { type: 'string' },
  root: { type: 'string' },
  side: { type: 'string' },
  bundle: { type: 'string' },
  'containerd-address': { type: 'string' },
  'advertise-address': { type: 'string' },
  'node-name': { type: 'string' },
  edgemesh: { type: 'boolean' },
  'no-edgemesh': { type: 'boolean' },
  'relay-node': { type: 'string', multiple: true },
  kubeconfig: { type: 'string' },
  'disable-traefik': { type: 'boolean' },
  'cloudcore-ipport': { type: 'string' },
  'cloud-ip': { type: 'string' },
  certport: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  'cgroup-driver': { type: 'string' },
  labels: { type: 'string' }
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>['values']

function readFlags(rest: string[]): Values {
  try {
    return parseArgs({ args: rest, allowPositionals: false, options: FLAGS }).values
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** The options every command shares, with the defaults. */
function baseOptions(command: Command, side: Options['side'], v: Values): Options {
  const options: Options = {
    command: v['dry-run'] && (command === 'cloud' || command === 'edge') ? 'plan' : command,
    ...(side ? { side } : {}),
    yes: v.yes ?? false,
    dryRun: v['dry-run'] ?? false,
    json: v.json ?? false,
    purge: v.purge ?? false,
    rollback: v.rollback ?? false,
    root: v.root ?? '',
    ...(v['log-file'] ? { logFile: v['log-file'] } : {}),
    ...(v.bundle ? { bundleDir: v.bundle } : {}),
    containerdAddress: v['containerd-address'] ?? '/run/containerd/containerd.sock',
    advertiseAddress: [],
    nodeName: (v['node-name'] ?? hostname()).toLowerCase(),
    relayNodes: [],
    disableTraefik: v['disable-traefik'] ?? false,
    cloudPort: 10000,
    certPort: v.certport ? port(v.certport, '--certport') : 10002,
    cgroupDriver: 'cgroupfs',
    labels: []
  }
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.nodeName)) {
    throw new UsageError(
      `--node-name: "${options.nodeName}" is not a valid node name (lower-case letters, digits, - and .)`
    )
  }
  return options
}

/** --advertise-address, --edgemesh, --relay-node, --kubeconfig. */
function cloudFlags(options: Options, v: Values): void {
  if (v['advertise-address']) {
    options.advertiseAddress = v['advertise-address']
      .split(',')
      .map(a => ip(a.trim(), '--advertise-address'))
  } else if (options.side === 'cloud') {
    const found = primaryIp()
    if (found) options.advertiseAddress = [found]
  }
  if (v.edgemesh && v['no-edgemesh'])
    throw new UsageError('--edgemesh and --no-edgemesh contradict each other')
  if (v.edgemesh || v['no-edgemesh']) options.edgemesh = v.edgemesh === true
  for (const relay of v['relay-node'] ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(relay)
    if (!m?.[1] || !m[2]) throw new UsageError(`--relay-node: "${relay}" is not NAME=IP[,IP]`)
    options.relayNodes.push({
      name: m[1],
      addresses: m[2].split(',').map(a => ip(a.trim(), '--relay-node'))
    })
  }
  if (v.kubeconfig) options.kubeconfig = v.kubeconfig
}

/** The token from --token or --token-file, checked for KubeEdge's shape. */
function tokenFlag(v: Values): string | undefined {
  if (v.token && v['token-file']) throw new UsageError('give --token or --token-file, not both')
  let token = v.token
  if (v['token-file']) {
    try {
      token = readFileSync(v['token-file'], 'utf8').trim()
    } catch (err) {
      throw new UsageError(
        `--token-file: cannot read ${v['token-file']}: ${(err as Error).message}`
      )
    }
  }
  if (token !== undefined && !TOKEN.test(token)) {
    throw new UsageError(
      'the token does not look like a KubeEdge token (<64 hex>.<JWT>); copy it from edge-join.txt on the cloud or `keadm gettoken`'
    )
  }
  return token
}

/** --cloudcore-ipport (or --cloud-ip), the token, --cgroup-driver, --labels. */
function edgeFlags(options: Options, v: Values): void {
  if (v['cloudcore-ipport']) {
    const m = /^(.+):(\d+)$/.exec(v['cloudcore-ipport'])
    if (!m?.[1] || !m[2])
      throw new UsageError(
        `--cloudcore-ipport: "${v['cloudcore-ipport']}" is not IP:PORT (e.g. 192.0.2.10:10000)`
      )
    options.cloudIp = ip(m[1], '--cloudcore-ipport')
    options.cloudPort = port(m[2], '--cloudcore-ipport')
  } else if (v['cloud-ip']) {
    options.cloudIp = ip(v['cloud-ip'], '--cloud-ip')
  }
  const token = tokenFlag(v)
  if (token !== undefined) options.token = token
  if (v['cgroup-driver']) {
    if (v['cgroup-driver'] !== 'cgroupfs' && v['cgroup-driver'] !== 'systemd') {
      throw new UsageError(
        `--cgroup-driver: expected cgroupfs or systemd, got "${v['cgroup-driver']}"`
      )
    }
    options.cgroupDriver = v['cgroup-driver']
  }
  if (v.labels) {
    options.labels = v.labels.split(',').map(l => l.trim())
    const bad = options.labels.find(l => !/^[A-Za-z0-9./_-]+=[A-Za-z0-9._-]*$/.test(l))
    if (bad !== undefined) throw new UsageError(`--labels: "${bad}" is not key=value`)
  }
}

export function parseOptions(argv: string[]): Options | { help: string } {
  const [first, ...rest] = argv
  if (!first || first === '--help' || first === '-h' || first === 'help')
    return { help: HELP.main ?? '' }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command "${first}": expected one of ${COMMANDS.join(', ')}`)
  }
  const command = first as Command
  const v = readFlags(rest)
  if (v.help) return { help: HELP[command] ?? HELP.main ?? '' }
  const side = v.side ?? (command === 'cloud' || command === 'edge' ? command : undefined)
  if (side !== undefined && side !== 'cloud' && side !== 'edge')
    throw new UsageError(`--side: expected cloud or edge, got "${side}"`)
  const options = baseOptions(command, side, v)
  cloudFlags(options, v)
  edgeFlags(options, v)
  if (options.command === 'edge' || (options.command === 'plan' && side === 'edge')) {
    if (!options.cloudIp)
      throw new UsageError('edge: --cloudcore-ipport IP:10000 (or --cloud-ip IP) is required')
    if (!options.token)
      throw new UsageError('edge: a token is required: --token TOKEN or --token-file FILE')
  }
  if (options.command === 'cloud' && options.advertiseAddress.length === 0) {
    throw new UsageError('cloud: no --advertise-address given and no primary IP found')
  }
  return options
}
