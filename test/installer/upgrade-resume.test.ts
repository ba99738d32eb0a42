/**
 * Crashes and resume of `install.js upgrade`, edge, through the delta N -> N+1, on FAKE HOSTS
 * (RECORDING STUBS for systemctl, keadm and ip; a REAL containerd of the test bed per
 * scenario, so each one shows its own images complete and unpacked). As the install's
 * resume tests do, the upgrade is SIGKILLed at the start and the end of every upgrade step
 * (KEDGE_KILL_AT, a crash-test hook of the runner) and inside keadm upgrade edge (the keadm
 * STUB hangs half way, as KEDGE_STUB_HANG asks, and the process group is killed). The same
 * command then completes and leaves the host as an uninterrupted upgrade does; rollback then
 * returns it to N.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { buildDelta } from '@kedge/bundle'
import { parseMirrors } from '@kedge/oci'
import * as bed from '../bed/index.js'
import {
  buildBundles,
  edgeArgs,
  fakeHost,
  listeners,
  runInstaller,
  snapshot,
  type Bundles,
  type FakeHost,
  type Listeners
} from './fixture.js'

const UPGRADE_STEPS = [
  'upgrade-backup',
  'upgrade-runtime',
  'upgrade-images',
  'keadm-upgrade',
  'wait-edgecore',
  'upgrade-edgecore-config'
]
const read = (root: string, p: string): string => readFileSync(join(root, p), 'utf8')

let registry: bed.Registry
let server: bed.FileServer
let work: string
let n: Bundles
let n1: Bundles
let delta: string
let cloudDelta: string
let net: Listeners

beforeAll(async () => {
  work = await bed.tempDir('upgrade-resume')
  process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
  process.env.RUNNER_TEMP = join(work, 'temp')
  registry = await bed.startRegistry()
  server = await bed.startFileServer()
  net = await listeners()
  // One N (v1.22.0) / N+1 (v1.22.2) pair and its edge delta for every scenario.
  const spec = await bed.previousRelease(server, registry, await bed.bedSpec(server, registry))
  n = await buildBundles(spec, join(work, 'n'))
  n1 = await buildBundles(await bed.nextRelease(server, registry, spec), join(work, 'n1'))
  const built = (b: string, dir: string) => join(work, dir, 'bundles', basename(b))
  const deltaOf = async (base: string, next: string): Promise<string> => {
    const d = await buildDelta({
      client: {
        mirrors: parseMirrors(spec.registry.mirrors.join('\n')),
        insecure: spec.registry.insecure
      },
      base: `${built(base, 'n')}.bundle.json`,
      baseSha256: execFileSync('sha256sum', [`${built(base, 'n')}.tar.gz`])
        .toString()
        .split(' ')[0],
      bundle: `${built(next, 'n1')}.tar.gz`,
      outputDir: join(work, 'delta')
    })
    execFileSync('tar', ['-xzf', d.bundle, '-C', join(work, 'delta')])
    return join(work, 'delta', d.name)
  }
  delta = await deltaOf(n.edge, n1.edge)
  cloudDelta = await deltaOf(n.cloud, n1.cloud)
}, 600_000)
afterAll(async () => {
  await net.close()
  await server.stop()
  await registry.stop()
  await bed.removeDir(work)
})

interface Site {
  host: FakeHost
  containerd: bed.Containerd
  env: (extra?: Record<string, string>) => Record<string, string>
}

/** A fresh fake host with its own containerd, N installed. */
async function installN(): Promise<Site> {
  const host = fakeHost(work)
  const containerd = await bed.startContainerd()
  const env = (extra: Record<string, string> = {}) => ({
    ...host.stubs.env,
    KEDGE_METASERVER: net.metaServer,
    ...extra
  })
  const run = await runInstaller(n.edge, edgeArgs(host, containerd.address, net), env())
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  return { host, containerd, env }
}

const upgradeArgs = (site: Site) => ['upgrade', '--root', site.host.root, '--yes']

/** install.js upgrade in its own process group; with KEDGE_STUB_HANG, the group is SIGKILLed once the stub hangs. */
async function upgradeUntilKilled(site: Site, kill: Record<string, string>) {
  const child = spawn(process.execPath, [join(delta, 'install.js'), ...upgradeArgs(site)], {
    env: { ...process.env, KEDGE_WAIT_SECONDS: '10', ...site.env(kill) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  let stdout = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', () => undefined)
  const exited = new Promise<{ signal: NodeJS.Signals | null; stdout: string }>(resolve =>
    child.on('exit', (_code, signal) => {
      resolve({ signal, stdout })
    })
  )
  if (kill.KEDGE_STUB_HANG) {
    const log = site.host.stubs.env.KEDGE_STUB_LOG ?? ''
    await bed.waitFor('the stub to hang', () =>
      Promise.resolve(readFileSync(log, 'utf8').includes('"(hung)"'))
    )
    process.kill(-(child.pid ?? 0), 'SIGKILL')
  }
  return exited
}

/** The host after an upgrade, with what differs by construction (paths, times, logs) left out. */
function upgradedTree(site: Site): Record<string, string> {
  const varying = new Set([
    '/var/lib/kedge/state.json',
    '/var/lib/kedge/upgrade.json',
    '/var/lib/kedge/install-options.json'
  ])
  const files = snapshot(site.host.root, p => p.startsWith('/var/log/') || varying.has(p))
  return Object.fromEntries(
    Object.entries(files).map(([p, text]) => [
      p,
      text.replaceAll(site.host.root, '<root>').replaceAll(site.containerd.address, '<ctrd>')
    ])
  )
}

/** What every upgrade must end with: N+1 recorded, settings kept, every image complete and unpacked. */
async function expectUpgraded(site: Site): Promise<void> {
  const { root } = site.host
  expect(read(root, 'var/lib/kedge/bundle.json')).toBe(read(delta, 'meta/bundle.json'))
  expect(JSON.parse(read(root, 'var/lib/kedge/state.json'))).toMatchObject({
    bundle: basename(n1.edge)
  })
  const journal = JSON.parse(read(root, 'var/lib/kedge/upgrade.json')) as {
    finishedAt?: string
    steps: Record<string, unknown>
  }
  expect(journal.finishedAt).toBeDefined()
  expect(Object.keys(journal.steps).sort()).toEqual([...UPGRADE_STEPS].sort())
  expect(read(root, 'etc/kubeedge/config/edgecore.yaml')).toContain('169.254.96.16')
  expect(read(root, 'usr/local/bin/edgecore')).toContain('KubeEdge v1.22.2')
  expect(read(root, 'usr/local/bin/keadm')).toContain('keadm v1.22.2')
  expect(existsSync(join(root, 'etc/kubeedge/idempotency_record'))).toBe(false)
  expect(site.host.stubs.state()).toMatchObject({
    edgecoreVersion: 'v1.22.2',
    active: { edgecore: true }
  })
  const wanted = (
    JSON.parse(read(n1.edge, 'meta/bundle.json')) as { images: Array<{ name: string }> }
  ).images.map(i => i.name)
  const rows = bed.parseCheck((await site.containerd.ctr(['images', 'check'])).stdout)
  for (const name of wanted)
    expect(rows.find(r => r.ref === name)).toEqual({ ref: name, complete: true, unpacked: true })
}

async function expectRolledBack(site: Site): Promise<void> {
  const { root } = site.host
  const back = await runInstaller(delta, ['upgrade', '--rollback', '--root', root], site.env())
  expect(back.stderr).toBe('')
  expect(back.code).toBe(0)
  expect(back.stdout).toContain(`rolling back ${basename(n1.edge)} -> ${basename(n.edge)}`)
  expect(read(root, 'var/lib/kedge/bundle.json')).toBe(read(n.edge, 'meta/bundle.json'))
  expect(read(root, 'usr/local/bin/keadm')).toContain('keadm v1.22.0')
  expect(read(root, 'usr/local/bin/edgecore')).toContain('KubeEdge v1.22.0')
  expect(JSON.parse(read(root, 'var/lib/kedge/state.json'))).toMatchObject({
    bundle: basename(n.edge)
  })
}

describe('install.js upgrade, edge delta: SIGKILL anywhere, then the same command completes (stubs: systemctl, keadm, ip; real containerd)', () => {
  let reference: Record<string, string>

  beforeAll(async () => {
    const site = await installN()
    try {
      const run = await runInstaller(delta, upgradeArgs(site), site.env())
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      await expectUpgraded(site)
      reference = upgradedTree(site)
    } finally {
      await site.containerd.stop()
    }
  }, 600_000)

  const points: Array<[string, Record<string, string>]> = [
    ...UPGRADE_STEPS.flatMap((step): Array<[string, Record<string, string>]> => [
      [`SIGKILL as ${step} starts`, { KEDGE_KILL_AT: `${step}:start` }],
      [`SIGKILL as ${step} ends, before its journal entry`, { KEDGE_KILL_AT: `${step}:end` }]
    ]),
    [
      'SIGKILL after the new bundle is recorded, before the upgrade journal says finished',
      { KEDGE_KILL_AT: 'upgrade-record:end' }
    ],
    [
      'SIGKILL inside keadm upgrade edge (the stub hangs half way, holding its lock)',
      { KEDGE_STUB_HANG: 'keadm upgrade' }
    ]
  ]

  test.each(points)(
    'stub: %s: the re-run completes as an uninterrupted upgrade does; rollback returns to N',
    async (_what, kill) => {
      const site = await installN()
      try {
        const killed = await upgradeUntilKilled(site, kill)
        expect(killed.signal).toBe('SIGKILL')
        const rerun = await runInstaller(delta, upgradeArgs(site), site.env())
        expect(rerun.stderr).toBe('')
        expect(rerun.code).toBe(0)
        expect(rerun.stdout).not.toMatch(/FAIL/)
        if (kill.KEDGE_STUB_HANG)
          expect(rerun.stdout).toContain(
            'a keadm upgrade edge was cut short and left /etc/kubeedge/idempotency_record: removing it'
          )
        await expectUpgraded(site)
        expect(upgradedTree(site)).toEqual(reference)
        await expectRolledBack(site)
      } finally {
        await site.containerd.stop()
      }
    }
  )

  test('stub: rollback straight after a SIGKILL inside keadm upgrade edge removes the lock keadm left and returns to N', async () => {
    const site = await installN()
    try {
      const killed = await upgradeUntilKilled(site, { KEDGE_STUB_HANG: 'keadm upgrade' })
      expect(killed.signal).toBe('SIGKILL')
      expect(existsSync(join(site.host.root, 'etc/kubeedge/idempotency_record'))).toBe(true)
      await expectRolledBack(site)
      expect(existsSync(join(site.host.root, 'etc/kubeedge/idempotency_record'))).toBe(false)
    } finally {
      await site.containerd.stop()
    }
  })
})

describe('install.js upgrade, cloud delta: SIGKILL at every step boundary, then the same command completes (stubs: k3s, kubectl, keadm, helm)', () => {
  const steps = ['upgrade-backup', 'upgrade-images', 'upgrade-cloudcore']
  const cloudArgs = (host: FakeHost) => [
    'cloud',
    ...['--root', host.root, '--advertise-address', '192.0.2.10', '--node-name', 'cloud-1'],
    '--yes'
  ]
  const points: Array<[string, string]> = [
    ...steps.flatMap((step): Array<[string, string]> => [
      [`SIGKILL as ${step} starts`, `${step}:start`],
      [`SIGKILL as ${step} ends, before its journal entry`, `${step}:end`]
    ]),
    ['SIGKILL after the new bundle is recorded', 'upgrade-record:end']
  ]

  test.each(points)(
    'stub: %s: the re-run completes (cloudcore v1.22.2, dynamicController on); rollback is a helm rollback to revision 1',
    async (_what, at) => {
      const host = fakeHost(work)
      const installed = await runInstaller(n.cloud, cloudArgs(host), host.stubs.env)
      expect(installed.code).toBe(0)
      const args = ['upgrade', '--root', host.root, '--yes']
      const killed = await runInstaller(cloudDelta, args, { ...host.stubs.env, KEDGE_KILL_AT: at })
      expect(killed.code).toBeNull()
      const rerun = await runInstaller(cloudDelta, args, host.stubs.env)
      expect(rerun.stderr).toBe('')
      expect(rerun.code).toBe(0)
      expect(rerun.stdout).toContain('PASS  cloudcore version: v1.22.2')
      expect(rerun.stdout).toContain('PASS  dynamicController enabled')
      expect(rerun.stdout).not.toMatch(/FAIL/)
      expect(read(host.root, 'var/lib/kedge/bundle.json')).toBe(
        read(cloudDelta, 'meta/bundle.json')
      )
      const backup = join(host.root, 'var/lib/kedge/upgrade-backup', basename(n.cloud))
      expect(read(backup, 'helm-revisions.json')).toBe('{"cloudcore":1,"edgemesh":1}\n')
      expect(read(backup, 'files/var/lib/kedge/bundle.json')).toBe(
        read(n.cloud, 'meta/bundle.json')
      )
      const back = await runInstaller(
        cloudDelta,
        ['upgrade', '--rollback', '--root', host.root],
        host.stubs.env
      )
      expect(back.stderr).toBe('')
      expect(back.code).toBe(0)
      expect(back.stdout).toContain('helm release cloudcore back to revision 1')
      expect(read(host.root, 'var/lib/kedge/bundle.json')).toBe(read(n.cloud, 'meta/bundle.json'))
    }
  )
})
