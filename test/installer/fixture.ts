/**
 * A fake host for the installer: a temporary --root with /run/systemd/system, RECORDING
 * STUBS for systemctl/k3s/kubectl/keadm/helm/ip on PATH, loopback listeners standing in
 * for CloudCore's ports, a STUB metaServer, and bundles (with the built install.js) for
 * this machine's arch, extracted.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs'
import { createServer as createHttp } from 'node:http'
import { createServer, type Server } from 'node:net'
import { arch } from 'node:os'
import { join, relative } from 'node:path'
import { packageBundle, type Arch, type BundleSpec } from '@kedge/bundle'
import * as bed from '../bed/index.js'
import { repoRoot } from '../lib/repo.js'

/** A KubeEdge-shaped token (64 hex, a JWT) whose `exp` is `exp` (seconds since 1970). */
export function tokenWithExp(exp: number): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${'ab'.repeat(32)}.${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp })}.c3R1Yi1zaWduYXR1cmU`
}

/** Valid until 2100. */
export const TOKEN = tokenWithExp(4102444800)
export const hostArch: Arch = arch() === 'arm64' ? 'arm64' : 'amd64'

export interface Bundles {
  edge: string
  cloud: string
}

/** Builds and extracts the edge and cloud bundles (with install.js) for this arch. */
export async function buildBundles(spec: BundleSpec, work: string): Promise<Bundles> {
  const installer = join(repoRoot(), 'dist', 'installer', 'install.js')
  const dirs: Record<string, string> = {}
  for (const side of ['edge', 'cloud'] as const) {
    const result = await packageBundle({
      spec,
      side,
      arch: hostArch,
      outputDir: join(work, 'bundles'),
      installer
    })
    const into = join(work, 'extracted', side)
    mkdirSync(into, { recursive: true })
    await bed.run('tar', ['-xzf', result.bundle, '-C', into])
    dirs[side] = join(into, result.name)
  }
  return { edge: dirs.edge ?? '', cloud: dirs.cloud ?? '' }
}

export interface FakeHost {
  root: string
  stubs: bed.Stubs
}

let roots = 0
/** A fresh fake root with its own stubs. */
export function fakeHost(work: string): FakeHost {
  const dir = join(work, `host-${++roots}`)
  const root = join(dir, 'root')
  mkdirSync(join(root, 'run', 'systemd', 'system'), { recursive: true })
  // So that systemd-analyze verify --root finds the standard targets.
  mkdirSync(join(root, 'usr', 'lib', 'systemd'), { recursive: true })
  symlinkSync('/usr/lib/systemd/system', join(root, 'usr', 'lib', 'systemd', 'system'))
  return { root, stubs: bed.makeStubs(dir, root) }
}

export interface Listeners {
  cloudPort: number
  certPort: number
  metaServer: string
  close(): Promise<void>
}

/** TCP listeners where CloudCore's 10000/10002 would be, and a STUB metaServer. */
export async function listeners(): Promise<Listeners> {
  const tcp: Server[] = []
  const listen = async (): Promise<number> => {
    const server = createServer(s => s.destroy())
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
    tcp.push(server)
    const address = server.address()
    return typeof address === 'object' && address ? address.port : 0
  }
  const meta = createHttp((req, res) => {
    res.writeHead(req.url === '/api/v1/services' ? 200 : 404, {
      'content-type': 'application/json'
    })
    res.end('{"kind":"ServiceList","items":[]}')
  })
  await new Promise<void>(r => meta.listen(0, '127.0.0.1', r))
  const metaAddress = meta.address()
  const cloudPort = await listen()
  const certPort = await listen()
  return {
    cloudPort,
    certPort,
    metaServer: `http://127.0.0.1:${typeof metaAddress === 'object' && metaAddress ? metaAddress.port : 0}`,
    close: async () => {
      for (const s of tcp) {
        await new Promise<void>(r => {
          s.close(() => {
            r()
          })
        })
      }
      await new Promise<void>(r => {
        meta.close(() => {
          r()
        })
      })
    }
  }
}

export interface InstallRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs node <bundle>/install.js the way an operator does (or through install.sh). */
export async function runInstaller(
  bundleDir: string,
  args: string[],
  env: Record<string, string>,
  viaShell = false
): Promise<InstallRun> {
  const [cmd, argv] = viaShell
    ? ['sh', [join(bundleDir, 'install.sh'), ...args]]
    : [process.execPath, [join(bundleDir, 'install.js'), ...args]]
  const child = spawn(cmd, argv, {
    env: { ...process.env, KEDGE_WAIT_SECONDS: '10', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const code = await new Promise<number | null>(r => child.on('exit', r))
  return { code, stdout, stderr }
}

/** Every file under `root` with its content (the log and the link to systemd left out). */
export function snapshot(
  root: string,
  skip: (path: string) => boolean = () => false
): Record<string, string> {
  const out: Record<string, string> = {}
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name)
      const rel = `/${relative(root, full)}`
      if (rel === '/usr/lib/systemd/system' || skip(rel)) continue
      if (statSync(full).isDirectory()) visit(full)
      else out[rel] = readFileSync(full, 'utf8')
    }
  }
  visit(root)
  return out
}

/** The steps of an edge install, in their order. */
export const EDGE_STEPS = [
  'install-runtime',
  'containerd-config',
  'cni-config',
  'start-containerd',
  'import-images',
  'keadm-join',
  'wait-edgecore',
  'check-edgecore-config'
]

/** The arguments of `install.js cloud --yes` on a fake host. */
export function cloudArgs(host: FakeHost, extra: string[] = []): string[] {
  return [
    'cloud',
    '--root',
    host.root,
    '--advertise-address',
    '192.0.2.10',
    '--node-name',
    'cloud-1',
    '--yes',
    ...extra
  ]
}

/** The arguments of `install.js edge` on a fake host, against the bed's containerd and listeners. */
export function edgeArgs(
  host: FakeHost,
  containerdAddress: string,
  net: Listeners,
  extra: string[] = [],
  nodeName = 'edge-1'
): string[] {
  return [
    'edge',
    '--root',
    host.root,
    '--containerd-address',
    containerdAddress,
    '--cloudcore-ipport',
    `127.0.0.1:${String(net.cloudPort)}`,
    '--certport',
    String(net.certPort),
    '--token',
    TOKEN,
    '--node-name',
    nodeName,
    '--yes',
    ...extra
  ]
}
