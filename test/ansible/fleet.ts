/**
 * A fleet on loopback for the kedge.kubeedge collection: REAL ansible-playbook (Debian's
 * ansible-core) over a REAL sshd (./sshd.ts) to N+1 inventory hosts, all 127.0.0.1. Each
 * host is a fake root (--root) with its own RECORDING STUBS for the cluster tools (systemctl,
 * k3s, kubectl, keadm, helm, ip; on PATH through kedge_environment), each edge has its own
 * REAL containerd (the installer imports into k8s.io, so they cannot share one). Loopback
 * listeners stand in for CloudCore's 10000/10002 and a STUB metaServer answers.
 * The bundles are the test bed's stand-in bundles (built with the real packager) in a
 * release directory with a SHA256SUMS, as a release has.
 */
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { dump } from 'js-yaml'
import { packageBundle, type BundleSpec } from '@kedge/bundle'
import * as bed from '../bed/index.js'
import {
  fakeHost,
  hostArch,
  listeners,
  type FakeHost,
  type Listeners
} from '../installer/fixture.js'
import { repoRoot } from '../lib/repo.js'
import { startSshd, type Sshd } from './sshd.js'

export interface Release {
  dir: string
  cloud: string
  edge: string
}

/** Packs this arch's cloud and edge bundles into `dir` with a release-style SHA256SUMS. */
export async function buildRelease(spec: BundleSpec, work: string): Promise<Release> {
  const dir = join(work, 'release')
  const installer = join(repoRoot(), 'dist', 'installer', 'install.js')
  const names: Record<string, string> = {}
  const sums: string[] = []
  for (const side of ['cloud', 'edge'] as const) {
    const r = await packageBundle({ spec, side, arch: hostArch, outputDir: dir, installer })
    names[side] = basename(r.bundle)
    sums.push(`${r.sha256}  ${basename(r.bundle)}`)
  }
  writeFileSync(join(dir, 'SHA256SUMS'), `${sums.join('\n')}\n`)
  return { dir, cloud: names.cloud ?? '', edge: names.edge ?? '' }
}

/** Builds the release with the test bed's registry and file server (stopped after). */
export async function standInRelease(
  work: string,
  sizes?: { baseSize?: number; layerSize?: number }
): Promise<Release> {
  const registry = await bed.startRegistry()
  const server = await bed.startFileServer()
  try {
    return await buildRelease(await bed.bedSpec(server, registry, sizes), work)
  } finally {
    await server.stop()
    await registry.stop()
  }
}

export interface FleetHost {
  name: string
  side: 'cloud' | 'edge'
  host: FakeHost
  containerd?: bed.Containerd
}

export interface Recap {
  ok: number
  changed: number
  unreachable: number
  failed: number
  skipped: number
  rescued: number
}

export interface ResultRow {
  host: string
  side: string
  result: 'PASS' | 'FAIL' | 'UNREACHABLE'
  passed: number
  failed: number
  reason: string
  /** Bundle bytes this run copied to the host. */
  copied: number
  checks: Array<{ name: string; ok: boolean; detail: string }>
}

export interface PlayRun {
  code: number | null
  stdout: string
  stderr: string
  seconds: number
  recap: Record<string, Recap>
  /** kedge_controller_dir/results.json when the play wrote it. */
  results: ResultRow[]
}

export interface PlayOptions {
  forks?: number
  extraVars?: Record<string, unknown>
  /** Extra inventory hosts in kedge_edge (e.g. an unreachable one). */
  extraEdges?: Record<string, Record<string, unknown>>
  limit?: string
}

export interface Fleet {
  work: string
  sshd: Sshd
  release: Release
  net: Listeners
  hosts: FleetHost[]
  controllerDir: string
  play(playbook: 'site' | 'verify' | 'uninstall', options?: PlayOptions): Promise<PlayRun>
  stop(): Promise<void>
}

const RECAP =
  /^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)/gm

export function parseRecap(stdout: string): Record<string, Recap> {
  const out: Record<string, Recap> = {}
  for (const m of stdout.matchAll(RECAP)) {
    const [ok, changed, unreachable, failed, skipped, rescued] = m.slice(2).map(Number)
    out[m[1] ?? ''] = { ok, changed, unreachable, failed, skipped, rescued } as Recap
  }
  return out
}

/** Builds the collection with ansible-galaxy and installs the tarball under `work`. */
function installCollection(work: string): string {
  const built = join(work, 'galaxy')
  const path = join(work, 'collections')
  mkdirSync(built, { recursive: true })
  const galaxy = (args: string[]) =>
    execFileSync('ansible-galaxy', ['collection', ...args], {
      env: { ...process.env, ANSIBLE_HOME: join(work, 'ansible-home') },
      stdio: ['ignore', 'pipe', 'pipe']
    })
  galaxy(['build', join(repoRoot(), 'ansible'), '--output-path', built, '--force'])
  const tarball = readdirSync(built).find(f => f.endsWith('.tar.gz')) ?? ''
  galaxy(['install', join(built, tarball), '-p', path])
  return path
}

function ansibleConfig(work: string, sshd: Sshd, collections: string): string {
  const file = join(work, 'ansible.cfg')
  writeFileSync(
    file,
    [
      '[defaults]',
      `collections_path = ${collections}`,
      `local_tmp = ${join(work, 'ansible-local')}`,
      'host_key_checking = True',
      'retry_files_enabled = False',
      'interpreter_python = /usr/bin/python3',
      'nocows = 1',
      '[ssh_connection]',
      `ssh_args = -o ControlMaster=auto -o ControlPersist=120s -o IdentitiesOnly=yes -o UserKnownHostsFile=${sshd.knownHosts} -o StrictHostKeyChecking=yes -o ConnectTimeout=5`,
      `control_path_dir = ${join(work, 'cp')}`,
      'pipelining = True',
      ''
    ].join('\n')
  )
  return file
}

/** The inventory: every host 127.0.0.1 through the one sshd, each with its own root. */
function inventory(fleet: Fleet, options: PlayOptions): string {
  const env = (h: FleetHost) => ({
    ...h.host.stubs.env,
    KEDGE_METASERVER: fleet.net.metaServer,
    KEDGE_WAIT_SECONDS: '10'
  })
  const hostVars = (h: FleetHost) => ({
    kedge_root: h.host.root,
    kedge_environment: env(h),
    ...(h.containerd ? { kedge_containerd_address: h.containerd.address } : {}),
    ...(h.side === 'edge'
      ? { kedge_labels: [`kedge.io/site=loopback`, `kedge.io/name=${h.name}`] }
      : {})
  })
  const group = (side: string) =>
    Object.fromEntries(fleet.hosts.filter(h => h.side === side).map(h => [h.name, hostVars(h)]))
  const doc = {
    all: {
      vars: {
        ansible_host: '127.0.0.1',
        ansible_port: fleet.sshd.port,
        ansible_user: 'root',
        ansible_ssh_private_key_file: fleet.sshd.clientKey,
        ansible_remote_tmp: join(fleet.work, 'remote-tmp'),
        // Root already; the playbooks' become (sudo) is for real fleets.
        ansible_become: false,
        kedge_bundle_dir: fleet.release.dir
      },
      children: {
        kedge_cloud: { hosts: group('cloud'), vars: { kedge_advertise_address: '127.0.0.1' } },
        kedge_edge: {
          hosts: { ...group('edge'), ...options.extraEdges },
          vars: {
            kedge_cloudcore_ipport: `127.0.0.1:${String(fleet.net.cloudPort)}`,
            kedge_certport: fleet.net.certPort
          }
        }
      }
    }
  }
  const file = join(fleet.work, 'inventory.yml')
  writeFileSync(file, dump(doc))
  return file
}

function runPlaybook(args: string[], env: Record<string, string>): Promise<PlayRun> {
  const started = Date.now()
  const child = spawn('ansible-playbook', args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise(resolve => {
    child.on('close', code => {
      resolve({
        code,
        stdout,
        stderr,
        seconds: (Date.now() - started) / 1000,
        recap: parseRecap(stdout),
        results: []
      })
    })
  })
}

/** Starts sshd, one real containerd per edge and the CloudCore listeners; installs the collection. */
export async function startFleet(work: string, release: Release, edges: number): Promise<Fleet> {
  const sshd = await startSshd(join(work, 'sshd'))
  const started: bed.Containerd[] = []
  let net: Listeners | undefined
  try {
    net = await listeners()
    const hosts: FleetHost[] = [{ name: 'cloud-1', side: 'cloud', host: fakeHost(work) }]
    for (let i = 1; i <= edges; i++) {
      const containerd = await bed.startContainerd()
      started.push(containerd)
      hosts.push({ name: `edge-${String(i)}`, side: 'edge', host: fakeHost(work), containerd })
    }
    const config = ansibleConfig(work, sshd, installCollection(work))
    const env = {
      ANSIBLE_CONFIG: config,
      ANSIBLE_HOME: join(work, 'ansible-home'),
      ANSIBLE_LOCAL_TEMP: join(work, 'ansible-local'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0'
    }
    const listening = net
    const fleet: Fleet = {
      work,
      sshd,
      release,
      net: listening,
      hosts,
      // The collection's default: .kedge beside the inventory.
      controllerDir: join(work, '.kedge'),
      play: async (playbook, options = {}) => {
        const inv = inventory(fleet, options)
        const args = [
          '-i',
          inv,
          `kedge.kubeedge.${playbook}`,
          '--forks',
          String(options.forks ?? 10)
        ]
        if (options.extraVars) args.push('--extra-vars', JSON.stringify(options.extraVars))
        if (options.limit) args.push('--limit', options.limit)
        const run = await runPlaybook(args, env)
        const results = join(fleet.controllerDir, 'results.json')
        if (existsSync(results))
          run.results = JSON.parse(readFileSync(results, 'utf8')) as ResultRow[]
        return run
      },
      stop: async () => {
        await closeMasters(join(work, 'cp'))
        await sshd.stop()
        await listening.close()
        for (const c of started) await c.stop()
      }
    }
    return fleet
  } catch (err) {
    await net?.close()
    for (const c of started) await c.stop()
    await sshd.stop()
    throw err
  }
}

/** Ends Ansible's ssh control masters (ControlPersist) by their sockets. */
async function closeMasters(dir: string): Promise<void> {
  if (!existsSync(dir)) return
  for (const socket of readdirSync(dir)) {
    await bed
      .run('ssh', ['-o', `ControlPath=${join(dir, socket)}`, '-O', 'exit', 'kedge-fleet'], 10000)
      .catch(() => undefined)
  }
}

/** sha256 of a file (for the tests' own checks). */
export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

/** A KubeEdge-shaped token (stub CA hash and signature) whose JWT exp is `exp`. */
export function tokenExpiring(exp: Date): string {
  const payload = Buffer.from(JSON.stringify({ exp: Math.floor(exp.getTime() / 1000) }))
  return `${'cd'.repeat(32)}.eyJhbGciOiJIUzI1NiJ9.${payload.toString('base64url')}.c3R1Yi1zaWduYXR1cmU`
}
