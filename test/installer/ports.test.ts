/**
 * The installer's preflight port checks, on FAKE HOSTS (a temporary --root; systemctl, ip
 * and sudo are STUBS on PATH). Each run goes into a fresh network namespace
 * (`unshare --net`, loopback only) together with real TCP listeners on the fixed ports
 * (10000, 10002, 10004, 20006, ...), so the ports are this test's alone: nothing else on the
 * machine sees them, and other tests' installs are not disturbed. Every run stops in
 * preflight (exit 1, nothing changed): a cloud because a port is taken, an edge because its
 * own 10350 is taken; an edge prints its warnings before it stops.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as bed from '../bed/index.js'
import {
  buildBundles,
  cloudArgs,
  fakeHost,
  snapshot,
  TOKEN,
  type Bundles,
  type FakeHost,
  type InstallRun
} from './fixture.js'

/**
 * Runs inside the namespace: brings loopback up (the real ip: the stub one is on PATH),
 * listens on the ports given, runs the installer, closes the listeners, exits with its code.
 */
const RUNNER = `
import { execFileSync, spawn } from 'node:child_process'
import { createServer } from 'node:net'
const [ip, ports, ...command] = process.argv.slice(2)
execFileSync(ip, ['link', 'set', 'lo', 'up'])
const servers = []
for (const port of ports.split(',').filter(Boolean)) {
  const server = createServer(socket => socket.destroy())
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(Number(port), '127.0.0.1', resolve)
  })
  servers.push(server)
}
const child = spawn(command[0], command.slice(1), { stdio: 'inherit' })
const code = await new Promise(resolve => child.on('exit', resolve))
for (const server of servers) server.close()
process.exit(code ?? 1)
`

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find(p => existsSync(p)) ?? 'ip'

describe('preflight port checks (stubs; real listeners in a private network namespace)', () => {
  let work: string
  let runner: string
  let bundles: Bundles

  beforeAll(async () => {
    work = await bed.tempDir('install-ports')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    runner = join(work, 'netns-runner.mjs')
    writeFileSync(runner, RUNNER)
    const registry = await bed.startRegistry()
    const server = await bed.startFileServer()
    try {
      bundles = await buildBundles(await bed.bedSpec(server, registry), work)
    } finally {
      await server.stop()
      await registry.stop()
    }
  })
  afterAll(async () => {
    await bed.removeDir(work)
  })

  /** install.js in a fresh network namespace where `taken` ports listen on 127.0.0.1. */
  const runIsolated = async (
    bundleDir: string,
    args: string[],
    host: FakeHost,
    taken: number[]
  ): Promise<InstallRun> => {
    const argv = [
      '--net',
      process.execPath,
      runner,
      IP,
      taken.join(','),
      process.execPath,
      join(bundleDir, 'install.js'),
      ...args
    ]
    const child = spawn('unshare', argv, {
      env: { ...process.env, KEDGE_WAIT_SECONDS: '10', ...host.stubs.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const code = await new Promise<number | null>(r => child.on('exit', r))
    return { code, stdout, stderr }
  }

  const OWNERS: Record<number, string> = {
    6443: 'the Kubernetes API (k3s)',
    10000: 'CloudHub websocket',
    10001: 'CloudHub quic',
    10002: 'CloudHub https: certificates',
    10003: 'CloudStream stream',
    10004: 'CloudStream tunnel: edgeStream',
    10350: 'edgecore server',
    20006: 'EdgeMesh relay'
  }
  const inUse = (port: number) =>
    `port ${port} (${OWNERS[port] ?? ''}) is in use: find the owner with ss -ltnp 'sport = :${port}' and stop it`

  /** A cloud run that must stop in preflight with nothing changed. */
  const cloudStops = async (extra: string[], taken: number[]): Promise<string> => {
    const host = fakeHost(work)
    const before = snapshot(host.root)
    const run = await runIsolated(bundles.cloud, cloudArgs(host, extra), host, taken)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('the host is not ready; nothing was changed:')
    // Only the install log (preflight's `ip route` is logged) is new.
    expect(snapshot(host.root, p => p.startsWith('/var/log/'))).toEqual(before)
    expect(host.stubs.calls().filter(c => c.tool !== 'ip')).toEqual([])
    return run.stderr
  }

  test('cloud: 20006 taken on the relay node (the cloud by default) stops preflight', async () => {
    const stderr = await cloudStops([], [20006])
    expect(stderr).toContain(inUse(20006))
    for (const port of [6443, 10000, 10001, 10002, 10003, 10004])
      expect(stderr).not.toContain(`port ${port} `)
  })

  test('cloud: each of CloudCore 10000-10004 and 6443 taken stops preflight naming it', async () => {
    const taken = [6443, 10000, 10001, 10002, 10003, 10004]
    const stderr = await cloudStops([], taken)
    for (const port of taken) expect(stderr).toContain(inUse(port))
    expect(stderr).not.toContain('port 20006 ')
  })

  test('cloud: 20006 is checked only where the relay runs (--relay-node, --no-edgemesh)', async () => {
    // The cloud named among the relay nodes: it runs the relay.
    const self = await cloudStops(['--relay-node', 'cloud-1=192.0.2.10'], [20006])
    expect(self).toContain(inUse(20006))
    // 10000 taken as well, so that preflight stops: 20006 is not the cloud's to check.
    for (const extra of [['--relay-node', 'edge-9=192.0.2.20'], ['--no-edgemesh']]) {
      const stderr = await cloudStops(extra, [10000, 20006])
      expect(stderr).toContain(inUse(10000))
      expect(stderr).not.toContain('20006')
    }
  })

  /** An edge run against a cloud at 127.0.0.1 (inside the namespace); 10350 taken stops it. */
  const edgeRun = async (cloudPorts: number[], extra: string[] = []): Promise<InstallRun> => {
    const host = fakeHost(work)
    const args = [
      'edge',
      '--root',
      host.root,
      '--cloudcore-ipport',
      '127.0.0.1:10000',
      '--token',
      TOKEN,
      '--node-name',
      'edge-1',
      '--yes',
      ...extra
    ]
    const before = snapshot(host.root)
    const run = await runIsolated(bundles.edge, args, host, [10350, ...cloudPorts])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(inUse(10350))
    expect(run.stderr).not.toContain('does not answer')
    expect(snapshot(host.root)).toEqual(before)
    return run
  }
  const warnings = (stdout: string) => stdout.split('\n').filter(l => l.startsWith('warning: '))
  const tunnelWarning =
    "warning: the cloud 127.0.0.1:10004 (CloudCore's tunnel, edgeStream: kubectl logs/exec) does not answer; open it in the cloud firewall"
  const relayWarning =
    'warning: the cloud 127.0.0.1:20006 (EdgeMesh relay) does not answer; open it where the relay runs (the cloud by default)'

  test('edge: a cloud answering on 10000/10002 only gets the 10004 (edgeStream) and 20006 (EdgeMesh relay) warnings', async () => {
    const run = await edgeRun([10000, 10002])
    expect(warnings(run.stdout)).toEqual([tunnelWarning, relayWarning])
  })

  test('edge: a cloud answering on every port gets no warning; each missing port its own', async () => {
    expect(warnings((await edgeRun([10000, 10002, 10004, 20006])).stdout)).toEqual([])
    expect(warnings((await edgeRun([10000, 10002, 20006])).stdout)).toEqual([tunnelWarning])
    expect(warnings((await edgeRun([10000, 10002, 10004])).stdout)).toEqual([relayWarning])
  })

  test('edge: --no-edgemesh, no 20006 warning', async () => {
    const run = await edgeRun([10000, 10002, 10004], ['--no-edgemesh'])
    expect(warnings(run.stdout)).toEqual([])
    const closed = await edgeRun([10000, 10002], ['--no-edgemesh'])
    expect(warnings(closed.stdout)).toEqual([tunnelWarning])
  })

  test('edge: a cloud not answering on 10000 or 10002 stops preflight naming the port', async () => {
    const host = fakeHost(work)
    const args = ['edge', '--root', host.root, '--cloudcore-ipport', '127.0.0.1:10000']
    const run = await runIsolated(
      bundles.edge,
      [...args, '--token', TOKEN, '--node-name', 'edge-1', '--yes'],
      host,
      [10000]
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      'the cloud 127.0.0.1:10002 does not answer: check the address, the cloud firewall (10000 and 10002) and that cloudcore runs'
    )
    expect(run.stderr).not.toContain('127.0.0.1:10000 does not answer')
  })
})
