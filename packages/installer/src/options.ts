/**
 * Command line: node install.js cloud|edge|plan|verify|uninstall|token [options].
 * Every bad flag is a UsageError (exit 2) with what was expected, before any change.
 */
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'
import { parseArgs } from 'node:util'
import { UsageError } from './errors.js'
import { HELP } from './help.js'
import { parseJoinFile, TOKEN, type JoinInfo } from './joinfile.js'

export { HELP } from './help.js'
export { UsageError } from './errors.js'
export { TOKEN } from './joinfile.js'

export const COMMANDS = [
  'cloud',
  'edge',
  'plan',
  'verify',
  'uninstall',
  'token',
  'upgrade'
] as const
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
  /** A public key (PEM): the bundle must carry a valid SHA256SUMS.sig by it. */
  trustKey?: string
  containerdAddress: string
  /** How long one wait (API, cloudcore, edgecore) may take, in seconds (--wait-timeout). */
  waitTimeout: number
  // cloud
  advertiseAddress: string[]
  nodeName: string
  edgemesh?: boolean
  relayNodes: Array<{ name: string; addresses: string[] }>
  kubeconfig?: string
  disableTraefik: boolean
  /** Keep k3s's servicelb (--keep-servicelb); undefined: the bundle's choice (off by default). */
  servicelb?: boolean
  /** Add a dummy default route when the host has none (--add-default-route). */
  addDefaultRoute: boolean
  // edge
  /** The join file the edge read (--join-file), for messages. */
  joinFile?: string
  cloudIp?: string
  cloudPort: number
  certPort: number
  /** CloudCore's tunnel port, which edgeStream uses (10004). */
  tunnelPort: number
  token?: string
  cgroupDriver: 'cgroupfs' | 'systemd'
  labels: string[]
}

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
  'trust-key': { type: 'string' },
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
  labels: { type: 'string' },
  'join-file': { type: 'string' },
  'wait-timeout': { type: 'string' },
  'keep-servicelb': { type: 'boolean' },
  'add-default-route': { type: 'boolean' }
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
    ...(v['trust-key'] ? { trustKey: v['trust-key'] } : {}),
    containerdAddress: v['containerd-address'] ?? '/run/containerd/containerd.sock',
    waitTimeout: waitTimeout(v['wait-timeout']),
    advertiseAddress: [],
    nodeName: (v['node-name'] ?? hostname()).toLowerCase(),
    relayNodes: [],
    disableTraefik: v['disable-traefik'] ?? false,
    ...(v['keep-servicelb'] ? { servicelb: true } : {}),
    addDefaultRoute: v['add-default-route'] ?? false,
    cloudPort: 10000,
    tunnelPort: 10004,
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
    const text = readText(v['token-file'], '--token-file')
    // A join file given here: take its token.
    token = /^token=/m.test(text) ? parseJoinFile(text, v['token-file']).token : text.trim()
  }
  if (token !== undefined && !TOKEN.test(token)) {
    throw new UsageError(
      'the token does not look like a KubeEdge token (<64 hex>.<JWT>); copy it from edge-join.txt on the cloud or `keadm gettoken`'
    )
  }
  return token
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(err as Error).message}`)
  }
}

function waitTimeout(value: string | undefined): number {
  const text = value ?? process.env.KEDGE_WAIT_SECONDS ?? '300'
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--wait-timeout: "${text}" is not a whole number of seconds (>= 1)`)
  return n
}

/** Sets cloudIp and cloudPort from IP:PORT; `flag` names the source in errors. */
function setCloudcore(options: Options, value: string, flag: string): void {
  const m = /^(.+):(\d+)$/.exec(value)
  if (!m?.[1] || !m[2])
    throw new UsageError(`${flag}: "${value}" is not IP:PORT (e.g. 192.0.2.10:10000)`)
  options.cloudIp = ip(m[1], flag)
  options.cloudPort = port(m[2], flag)
}

/** The join file (--join-file): what the flags given explicitly leave open. */
function joinFileFlags(options: Options, v: Values, join: JoinInfo, file: string): void {
  if (!v['cloudcore-ipport'] && !v['cloud-ip'] && join.cloudcoreIpport)
    setCloudcore(options, join.cloudcoreIpport, `--join-file ${file}: cloudcore-ipport`)
  if (options.token === undefined && join.token !== undefined) {
    if (!TOKEN.test(join.token))
      throw new UsageError(
        `--join-file ${file}: the token does not look like a KubeEdge token (<64 hex>.<JWT>); copy the file again from the cloud, or run ./install.sh token there`
      )
    options.token = join.token
  }
  if (options.edgemesh === undefined && join.edgemesh !== undefined)
    options.edgemesh = join.edgemesh
  options.joinFile = file
}

/** --cloudcore-ipport (or --cloud-ip), the token, --join-file, --cgroup-driver, --labels. */
function edgeFlags(options: Options, v: Values): void {
  if (v['cloudcore-ipport']) setCloudcore(options, v['cloudcore-ipport'], '--cloudcore-ipport')
  else if (v['cloud-ip']) options.cloudIp = ip(v['cloud-ip'], '--cloud-ip')
  const token = tokenFlag(v)
  if (token !== undefined) options.token = token
  const file = v['join-file']
  if (file) joinFileFlags(options, v, parseJoinFile(readText(file, '--join-file'), file), file)
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
  // plan shows placeholders for what is missing.
  if (options.command === 'edge') {
    if (!options.cloudIp)
      throw new UsageError(
        'edge: --cloudcore-ipport IP:10000 (or --cloud-ip IP) is required: give --join-file edge-join.txt (written by the cloud install) or the flag'
      )
    if (!options.token)
      throw new UsageError(
        'edge: a token is required: --join-file edge-join.txt (from the cloud), or --token-file FILE'
      )
  }
  if (options.command === 'cloud' && options.advertiseAddress.length === 0) {
    throw new UsageError('cloud: no --advertise-address given and no primary IP found')
  }
  return options
}
