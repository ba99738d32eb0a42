/**
 * The cloud-to-edge handoff and the installer's command-line contract, on FAKE HOSTS
 * (a temporary --root; keadm, helm and k3s are the RECORDING STUB from the bundle;
 * systemctl, ip and sudo are STUBS on PATH; the edge image import goes into the REAL
 * containerd). The join file, `token`, an expired token, EdgeMesh off on both sides,
 * verify --json, and the cloud's servicelb, default route and slow keadm init.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as bed from '../bed/index.js'
import {
  buildBundles,
  cloudArgs,
  edgeArgs,
  fakeHost,
  listeners,
  runInstaller,
  snapshot,
  tokenWithExp,
  type Bundles,
  type FakeHost,
  type Listeners
} from './fixture.js'

const lastJson = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>

describe('the join file handoff and the cloud options (stubs from the bundle; real containerd)', () => {
  let registry: bed.Registry
  let server: bed.FileServer
  let containerd: bed.Containerd
  let net: Listeners
  let work: string
  let bundles: Bundles
  /** The edge flags without a token: the join file brings it (the address is overridden). */
  const edgeFlags = (host: FakeHost, extra: string[]) =>
    edgeArgs(host, containerd.address, net, extra).filter(
      (a, i, all) => a !== '--token' && all[i - 1] !== '--token'
    )
  const edgeEnv = (host: FakeHost) => ({ ...host.stubs.env, KEDGE_METASERVER: net.metaServer })

  beforeAll(async () => {
    work = await bed.tempDir('install-handoff')
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

  test('cloud writes the join file, token rewrites it, the edge joins from it (stub)', async () => {
    const cloud = fakeHost(work)
    expect((await runInstaller(bundles.cloud, cloudArgs(cloud), cloud.stubs.env)).code).toBe(0)
    const file = join(cloud.root, 'var/lib/kedge/edge-join.txt')
    const first = readFileSync(file, 'utf8')

    const run = await runInstaller(
      bundles.cloud,
      ['token', '--root', cloud.root, '--json'],
      cloud.stubs.env
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const result = lastJson(run.stdout)
    expect(result).toEqual({
      command: 'token',
      ok: true,
      joinFile: file,
      expires: /^expires=(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1]
    })
    expect(String(result.expires)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const second = readFileSync(file, 'utf8')
    const tokenOf = (text: string) => /^token=(.+)$/m.exec(text)?.[1] ?? ''
    expect(tokenOf(second)).not.toBe(tokenOf(first))
    expect(second.replace(/^(token|expires)=.*$/gm, '')).toBe(
      first.replace(/^(token|expires)=.*$/gm, '')
    )
    expect(run.stdout).not.toContain(tokenOf(second))

    // The edge takes the copied file; its explicit --cloudcore-ipport wins over the file's.
    const edge = fakeHost(work)
    const copy = join(work, 'edge-join.txt')
    writeFileSync(copy, second, { mode: 0o600 })
    const joined = await runInstaller(
      bundles.edge,
      edgeFlags(edge, ['--join-file', copy, '--json']),
      edgeEnv(edge)
    )
    expect(joined.stderr).toBe('')
    expect(joined.code).toBe(0)
    const keadm = edge.stubs.calls().find(c => c.tool === 'keadm')
    expect(keadm?.args).toContain(`--token=${tokenOf(second)}`)
    expect(keadm?.args).toContain(`--cloudcore-ipport=127.0.0.1:${net.cloudPort}`)
    expect(lastJson(joined.stdout)).toMatchObject({ command: 'edge', ok: true, failed: 0 })
    expect(joined.stdout).not.toContain(tokenOf(second))
  })

  test('an expired token in the join file: exit 2 naming ./install.sh token, nothing changed', async () => {
    const edge = fakeHost(work)
    const file = join(work, 'expired-join.txt')
    writeFileSync(
      file,
      `# kedge\ncloudcore-ipport=127.0.0.1:${net.cloudPort}\ntoken=${tokenWithExp(1_700_000_000)}\nedgemesh=true\nexpires=2023-11-14T22:13:20Z\n`
    )
    const before = snapshot(edge.root)
    const run = await runInstaller(
      bundles.edge,
      edgeFlags(edge, ['--join-file', file]),
      edgeEnv(edge)
    )
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`the edge token in ${file} expired`)
    expect(run.stderr).toContain('on the cloud run `sudo ./install.sh token`')
    expect(snapshot(edge.root)).toEqual(before)
    expect(edge.stubs.calls()).toEqual([])
  })

  test('--no-edgemesh on the cloud reaches the edge: no clusterDNS; verify checks only what was installed', async () => {
    const cloud = fakeHost(work)
    const made = await runInstaller(
      bundles.cloud,
      cloudArgs(cloud, ['--no-edgemesh']),
      cloud.stubs.env
    )
    expect(made.stdout).not.toMatch(/FAIL/)
    expect(made.code).toBe(0)
    const file = join(cloud.root, 'var/lib/kedge/edge-join.txt')
    expect(readFileSync(file, 'utf8')).toContain('\nedgemesh=false\n')
    const verify = await runInstaller(
      bundles.cloud,
      ['verify', '--root', cloud.root, '--json'],
      cloud.stubs.env
    )
    expect(verify.code).toBe(0)
    const result = lastJson(verify.stdout) as {
      checks: Array<{ name: string; ok: boolean; detail: string }>
    } & Record<string, unknown>
    expect(result).toMatchObject({ command: 'verify', side: 'cloud', ok: true, failed: 0 })
    expect(result.passed).toBe(result.checks.length)
    const names = result.checks.map(c => c.name)
    expect(names).not.toContain('3 Istio CRDs')
    expect(names.some(n => n.includes('edgemesh'))).toBe(false)
    expect(result.checks.find(c => c.name === 'edge token (join file)')?.detail).toMatch(
      /^\/.*edge-join.txt: 2[34] h \d+ min left \(expires /
    )

    const edge = fakeHost(work)
    const run = await runInstaller(
      bundles.edge,
      edgeFlags(edge, ['--join-file', file]),
      edgeEnv(edge)
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const set =
      edge.stubs
        .calls()
        .find(c => c.tool === 'keadm')
        ?.args.at(-1) ?? ''
    expect(set).not.toContain('clusterDNS')
    expect(
      readFileSync(join(edge.root, 'etc/kubeedge/config/edgecore.yaml'), 'utf8')
    ).not.toContain('169.254.96.16')
    expect(run.stdout).not.toContain('edgemesh0')
    expect(run.stdout).toMatch(/^ {2}\d+ passed, 0 failed$/m)
  })

  test('--keep-servicelb keeps it; without a default route preflight stops with the remedy, --add-default-route adds it (stub ip)', async () => {
    const kept = fakeHost(work)
    expect(
      (await runInstaller(bundles.cloud, cloudArgs(kept, ['--keep-servicelb']), kept.stubs.env))
        .code
    ).toBe(0)
    const unit = readFileSync(join(kept.root, 'etc/systemd/system/k3s.service'), 'utf8')
    expect(unit).toContain('--node-name=cloud-1\n')
    expect(unit).not.toContain('servicelb')

    const noRoute = fakeHost(work)
    noRoute.stubs.setState({ active: {}, images: [], crds: [], noDefaultRoute: true })
    const stopped = await runInstaller(bundles.cloud, cloudArgs(noRoute), noRoute.stubs.env)
    expect(stopped.code).toBe(1)
    expect(stopped.stderr).toContain('no default route: k3s will not start without one')
    expect(stopped.stderr).toContain(
      'ip link add dummy0 type dummy; ip link set dummy0 up; ip addr add 203.0.113.254/31 dev dummy0; ip route add default via 203.0.113.255 dev dummy0 metric 1000'
    )
    expect(stopped.stderr).toContain('--add-default-route')
    const added = await runInstaller(
      bundles.cloud,
      cloudArgs(noRoute, ['--add-default-route']),
      noRoute.stubs.env
    )
    expect(added.code).toBe(0)
    const calls = noRoute.stubs.calls().map(c => `${c.tool} ${c.args.join(' ')}`)
    expect(calls).toContain('ip route add default via 203.0.113.255 dev dummy0 metric 1000')
    expect(calls.indexOf('ip link add dummy0 type dummy')).toBeLessThan(
      calls.findIndex(c => c.startsWith('systemctl restart k3s'))
    )
  })

  test('keadm init giving up after its 60 s Helm wait: the step waits on with progress lines (stub)', async () => {
    const slow = fakeHost(work)
    slow.stubs.setState({ active: {}, images: [], crds: [], slowInitSeconds: 12 })
    const run = await runInstaller(
      bundles.cloud,
      cloudArgs(slow, ['--wait-timeout', '60']),
      slow.stubs.env
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      'keadm init exited 1 (it waits only 60 s for its Helm release): Error: timed out waiting for the condition; waiting for cloudcore to decide'
    )
    expect(run.stdout).toMatch(
      /^ {2}still waiting for cloudcore to be Running: 1\d s so far, limit 60 s$/m
    )
    expect(run.stdout).toMatch(/^summary: 10 steps \(10 run, 0 done before\) in \d+ s; /m)
  })

  test('bundle.json drives the chart: a custom mosquitto image pinned by digest (its build-time split), controller-manager and admission, servicelb kept', async () => {
    // A copy of the cloud bundle whose bundle.json sets the fields (SHA256SUMS re-written).
    const copy = join(work, 'cloud-fields')
    cpSync(bundles.cloud, copy, { recursive: true })
    const meta = join(copy, 'meta/bundle.json')
    const info = JSON.parse(readFileSync(meta, 'utf8')) as Record<string, unknown>
    // Pinned by digest: the chart gets the tag with its digest, as the build split it.
    const pin = `sha256:${'d'.repeat(64)}`
    info.mosquitto = {
      enabled: true,
      image: `registry.example:5000/eclipse-mosquitto:2.0.18@${pin}`,
      repository: 'registry.example:5000/eclipse-mosquitto',
      tag: `2.0.18@${pin}`
    }
    info.cloudcore = { controllerManager: true, admission: true }
    info.k3s = { servicelb: true }
    writeFileSync(meta, JSON.stringify(info))
    const sum = createHash('sha256').update(readFileSync(meta)).digest('hex')
    const sums = join(copy, 'SHA256SUMS')
    writeFileSync(
      sums,
      readFileSync(sums, 'utf8').replace(
        /^[a-f0-9]{64} {2}meta\/bundle\.json$/m,
        `${sum}  meta/bundle.json`
      )
    )
    const host = fakeHost(work)
    const plan = await runInstaller(
      copy,
      ['plan', '--root', host.root, '--advertise-address', '192.0.2.10'],
      host.stubs.env
    )
    expect(plan.stderr).toBe('')
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain(
      `--set mosquitto.enable=true --set mosquitto.image.repository=registry.example:5000/eclipse-mosquitto,mosquitto.image.tag=2.0.18@sha256:${'d'.repeat(64)} --set controllerManager.enable=true --set admission.enable=true`
    )
    expect(plan.stdout).not.toContain('servicelb')
  })

  test('a slow keadm join: a line at least every 10 s while it runs (stub)', async () => {
    const edge = fakeHost(work)
    edge.stubs.setState({ active: {}, images: [], crds: [], slowJoinSeconds: 12 })
    const run = await runInstaller(
      bundles.edge,
      edgeArgs(edge, containerd.address, net),
      edgeEnv(edge)
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^\[6\] keadm-join: .*\n {2}still running keadm-join: 1\d s so far\n\[6\] keadm-join: ok/m
    )
  })

  test('the edge without sudo stops in preflight with a clear error', async () => {
    const edge = fakeHost(work)
    // Only systemctl and ip: the PATH of a host without sudo.
    const bin = join(work, 'no-sudo-bin')
    mkdirSync(bin, { recursive: true })
    for (const tool of ['systemctl', 'ip']) symlinkSync(join(edge.stubs.bin, tool), join(bin, tool))
    const run = await runInstaller(bundles.edge, edgeArgs(edge, containerd.address, net), {
      ...edgeEnv(edge),
      PATH: bin
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      'sudo is not installed: keadm join runs `sudo systemctl ...` even as root'
    )
    expect(edge.stubs.calls()).toEqual([])
  })
})
