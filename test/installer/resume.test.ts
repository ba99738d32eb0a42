/**
 * Crashes, resume and a byte-for-byte uninstall, on FAKE HOSTS (a temporary --root holding
 * the operator's own containerd, runc, keadm, edgecore, CNI plugins and containerd config;
 * RECORDING STUBS for systemctl, keadm and ip; the REAL containerd of the test bed for the
 * images; loopback listeners for CloudCore). The installer is SIGKILLed at every step
 * boundary, between a journal entry and its write, and inside keadm join (the keadm STUB
 * hangs on demand); the same command then completes, and uninstall returns the root to
 * what it was before, byte for byte and mode for mode (only the log may stay).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as bed from '../bed/index.js'
import { describeTree } from '../lib/tree.js'
import {
  buildBundles,
  cloudArgs,
  EDGE_STEPS,
  edgeArgs,
  fakeHost,
  listeners,
  runInstaller,
  type Bundles,
  type FakeHost,
  type Listeners
} from './fixture.js'

const LOG = '/var/log/kubeedge-edge-install.log'

/** The operator's own files, there before kedge: each must come back as it was. */
const OPERATOR_FILES: Array<[string, string, number]> = [
  ['/usr/local/bin/containerd', "operator's containerd 1.6\n", 0o750],
  ['/usr/local/bin/keadm', "operator's keadm\n", 0o755],
  ['/usr/local/bin/edgecore', "operator's edgecore\n", 0o700],
  ['/usr/local/sbin/runc', "operator's runc\n", 0o755],
  ['/opt/cni/bin/bridge', "operator's bridge plugin\n", 0o755],
  ['/opt/cni/bin/operator-plugin', 'a plugin kedge does not ship\n', 0o755],
  ['/etc/containerd/config.toml', '# the operator config\n', 0o640]
]

function operatorHost(work: string): FakeHost {
  const host = fakeHost(work)
  for (const dir of ['/var/log', '/var/lib', '/etc'])
    mkdirSync(join(host.root, dir), { recursive: true })
  for (const [path, text, mode] of OPERATOR_FILES) {
    mkdirSync(join(host.root, path, '..'), { recursive: true })
    writeFileSync(join(host.root, path), text)
    chmodSync(join(host.root, path), mode)
  }
  return host
}

interface Killed {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
}

/** install.js in its own process group; with `hangOn`, the group is SIGKILLed once the stub hangs. */
async function runUntilKilled(
  bundle: string,
  args: string[],
  env: Record<string, string>,
  host: FakeHost
): Promise<Killed> {
  const child = spawn(process.execPath, [join(bundle, 'install.js'), ...args], {
    env: { ...process.env, KEDGE_WAIT_SECONDS: '10', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  let stdout = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', () => undefined)
  const exited = new Promise<Killed>(resolve =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal, stdout })
    })
  )
  if (env.KEDGE_STUB_HANG) {
    await bed.waitFor('the stub to hang', () =>
      Promise.resolve(
        readFileSync(host.stubs.env.KEDGE_STUB_LOG ?? '', 'utf8').includes('"(hung)"')
      )
    )
    process.kill(-(child.pid ?? 0), 'SIGKILL')
  }
  return exited
}

describe('crash, resume and uninstall byte for byte (stubs: systemctl, keadm, ip; real containerd)', () => {
  let registry: bed.Registry
  let server: bed.FileServer
  let containerd: bed.Containerd
  let work: string
  let bundles: Bundles
  let net: Listeners

  const env = (host: FakeHost, extra: Record<string, string> = {}) => ({
    ...host.stubs.env,
    KEDGE_METASERVER: net.metaServer,
    ...extra
  })
  const tree = (host: FakeHost) => describeTree(host.root, p => p === LOG)

  beforeAll(async () => {
    work = await bed.tempDir('install-resume')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    registry = await bed.startRegistry()
    server = await bed.startFileServer()
    containerd = await bed.startContainerd()
    net = await listeners()
    bundles = await buildBundles(await bed.bedSpec(server, registry), work)
  })
  afterAll(async () => {
    await net.close()
    await containerd.stop()
    await server.stop()
    await registry.stop()
    await bed.removeDir(work)
  })

  const uninstallAndCompare = async (host: FakeHost, before: Record<string, string>) => {
    const gone = await runInstaller(
      bundles.edge,
      ['uninstall', '--root', host.root, '--yes'],
      env(host)
    )
    expect(gone.code).toBe(0)
    expect(tree(host)).toEqual(before)
  }

  test('install, a re-run with changed inputs, uninstall: the root is as before, byte for byte, modes included', async () => {
    const host = operatorHost(work)
    const before = tree(host)
    const args = edgeArgs(host, containerd.address, net)
    const first = await runInstaller(bundles.edge, args, env(host))
    expect(first.code).toBe(0)
    expect(readFileSync(join(host.root, 'usr/local/bin/containerd.kedge.bak'), 'utf8')).toBe(
      "operator's containerd 1.6\n"
    )
    // Changed inputs re-run steps that write kedge's own files again: no backup of those.
    const again = await runInstaller(
      bundles.edge,
      [...args, '--cgroup-driver', 'systemd'],
      env(host)
    )
    expect(again.code).toBe(0)
    expect(readFileSync(join(host.root, 'etc/containerd/config.toml.kedge.bak'), 'utf8')).toBe(
      '# the operator config\n'
    )
    await uninstallAndCompare(host, before)
  })

  const points: Array<[string, Record<string, string>]> = [
    ...EDGE_STEPS.flatMap((step): Array<[string, Record<string, string>]> => [
      [`SIGKILL as ${step} starts`, { KEDGE_KILL_AT: `${step}:start` }],
      [`SIGKILL as ${step} ends, before its journal entry`, { KEDGE_KILL_AT: `${step}:end` }]
    ]),
    ...[
      '/usr/local/bin/containerd',
      '/opt/cni/bin/bridge',
      '/etc/systemd/system/containerd.service',
      '/etc/containerd/config.toml',
      '/etc/cni/net.d/10-containerd-net.conflist',
      '/usr/local/bin/edgecore',
      '/etc/kubeedge/config/edgecore.yaml'
    ].map((path): [string, Record<string, string>] => [
      `SIGKILL between the journal entry for ${path} and its write`,
      { KEDGE_KILL_AT: `write:${path}` }
    ]),
    ['SIGKILL inside keadm join (the stub hangs half way)', { KEDGE_STUB_HANG: 'keadm join' }]
  ]

  test.each(points)(
    '%s: the re-run completes; uninstall restores the root',
    async (_what, kill) => {
      const host = operatorHost(work)
      const before = tree(host)
      const args = edgeArgs(host, containerd.address, net)
      const killed = await runUntilKilled(bundles.edge, args, env(host, kill), host)
      expect(killed.signal).toBe('SIGKILL')
      const rerun = await runInstaller(bundles.edge, args, env(host))
      expect(rerun.stderr).toBe('')
      expect(rerun.code).toBe(0)
      if (kill.KEDGE_STUB_HANG)
        expect(rerun.stdout).toContain(
          'a previous keadm join left edgecore behind: keadm reset edge first'
        )
      await uninstallAndCompare(host, before)
    }
  )

  test('uninstall after a crash inside keadm join runs keadm reset edge (the join was journaled as started)', async () => {
    const host = operatorHost(work)
    const before = tree(host)
    const args = edgeArgs(host, containerd.address, net)
    const killed = await runUntilKilled(
      bundles.edge,
      args,
      env(host, { KEDGE_STUB_HANG: 'keadm join' }),
      host
    )
    expect(killed.signal).toBe('SIGKILL')
    const calls = host.stubs.calls().length
    await uninstallAndCompare(host, before)
    expect(
      host.stubs
        .calls()
        .slice(calls)
        .map(c => `${c.tool} ${c.args.join(' ')}`)
    ).toContain('keadm reset edge --force')
  })

  test('cloud: SIGKILL inside keadm init (the stub hangs with the release half made): the re-run resets it and completes; uninstall resets it', async () => {
    const host = fakeHost(work)
    const args = cloudArgs(host)
    const killed = await runUntilKilled(
      bundles.cloud,
      args,
      env(host, { KEDGE_STUB_HANG: 'keadm init' }),
      host
    )
    expect(killed.signal).toBe('SIGKILL')
    const rerun = await runInstaller(bundles.cloud, args, env(host))
    expect(rerun.stderr).toBe('')
    expect(rerun.code).toBe(0)
    expect(rerun.stdout).toContain(
      'keadm init was cut short: keadm reset cloud before trying again'
    )
    const calls = () => host.stubs.calls().map(c => `${c.tool} ${c.args.slice(0, 2).join(' ')}`)
    const resets = calls().filter(c => c === 'keadm reset cloud')
    expect(resets).toHaveLength(1)
    expect(calls().filter(c => c.startsWith('keadm init '))).toHaveLength(2)
    const gone = await runInstaller(
      bundles.cloud,
      ['uninstall', '--root', host.root, '--yes'],
      env(host)
    )
    expect(gone.code).toBe(0)
    expect(calls().filter(c => c === 'keadm reset cloud')).toHaveLength(2)
  })

  test('--dry-run changes nothing for any command: the whole root hashed before and after', async () => {
    const host = operatorHost(work)
    const args = edgeArgs(host, containerd.address, net)
    const all = () => describeTree(host.root)
    const fresh = all()
    for (const cmd of [
      [...args, '--dry-run'],
      ['uninstall', '--root', host.root, '--dry-run'],
      ['verify', '--root', host.root, '--dry-run']
    ])
      await runInstaller(bundles.edge, cmd, env(host))
    expect(all()).toEqual(fresh)
    expect((await runInstaller(bundles.edge, args, env(host))).code).toBe(0)
    const installed = all()
    const plan = await runInstaller(
      bundles.edge,
      ['uninstall', '--root', host.root, '--dry-run'],
      env(host)
    )
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain('restore /usr/local/bin/containerd')
    expect(plan.stdout).toContain('/usr/local/bin/keadm reset edge --force')
    await runInstaller(bundles.edge, ['verify', '--root', host.root, '--dry-run'], env(host))
    await runInstaller(bundles.edge, [...args, '--dry-run'], env(host))
    expect(all()).toEqual(installed)
  })
})
