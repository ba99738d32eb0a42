/**
 * install.js edge on a FAKE HOST: a temporary --root, RECORDING STUBS for systemctl, keadm
 * and ip, loopback listeners for CloudCore's ports, a STUB metaServer. The image import
 * goes into the REAL containerd from the test bed; units are checked with the real
 * systemd-analyze verify.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  readdirSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import * as bed from '../bed/index.js'
import { repoRoot } from '../lib/repo.js'
import {
  buildBundles,
  EDGE_STEPS,
  edgeArgs,
  fakeHost,
  listeners,
  runInstaller,
  snapshot,
  TOKEN,
  type Bundles,
  type FakeHost,
  type Listeners
} from './fixture.js'

describe('install.js edge on a fake host (stubs: keadm from the bundle; systemctl, ip on PATH; real containerd)', () => {
  let registry: bed.Registry
  let server: bed.FileServer
  let containerd: bed.Containerd
  let work: string
  let bundles: Bundles
  let net: Listeners
  let baseline: FakeHost

  const args = (host: FakeHost, extra: string[] = []) =>
    edgeArgs(host, containerd.address, net, extra)
  const env = (host: FakeHost, extra: Record<string, string> = {}) => ({
    ...host.stubs.env,
    KEDGE_METASERVER: net.metaServer,
    ...extra
  })
  const state = (host: FakeHost) =>
    JSON.parse(readFileSync(join(host.root, 'var/lib/kedge/state.json'), 'utf8')) as {
      steps: Record<string, { hash: string; files: string[] }>
    }
  const stable = (host: FakeHost) =>
    snapshot(host.root, p => p === '/var/lib/kedge/state.json' || p.startsWith('/var/log/'))

  beforeAll(async () => {
    work = await bed.tempDir('install-edge')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    registry = await bed.startRegistry()
    server = await bed.startFileServer()
    containerd = await bed.startContainerd()
    net = await listeners()
    bundles = await buildBundles(await bed.bedSpec(server, registry), work)
    baseline = fakeHost(work)
  })
  afterAll(async () => {
    await net.close()
    await containerd.stop()
    await server.stop()
    await registry.stop()
    await bed.removeDir(work)
  })

  test('installs in order through install.sh, imports into the real containerd, repairs edgecore.yaml, verifies', async () => {
    // A pre-existing containerd config: backed up before the first edit, restored by uninstall.
    mkdirSync(join(baseline.root, 'etc/containerd'), { recursive: true })
    writeFileSync(join(baseline.root, 'etc/containerd/config.toml'), "# the operator's own\n")
    const run = await runInstaller(bundles.edge, args(baseline), env(baseline), true)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(
      run.stdout
        .match(/^\[\d\] [a-z0-9-]+: ok/gm)
        ?.map(l => l.replace(/^\[\d\] /, '').replace(/: ok$/, ''))
    ).toEqual(EDGE_STEPS)
    expect(run.stdout).toContain(
      'fixing in edgecore.yaml: modules.edged.tailoredKubeletConfig.clusterDNS'
    )
    expect(run.stdout).not.toMatch(/FAIL/)

    const r = baseline.root
    for (const bin of [
      'usr/local/bin/containerd',
      'usr/local/bin/ctr',
      'usr/local/bin/containerd-shim-runc-v2',
      'usr/local/sbin/runc',
      'usr/local/bin/keadm',
      'opt/cni/bin/bridge',
      'opt/cni/bin/portmap'
    ]) {
      expect(statSync(join(r, bin)).mode & 0o777).toBe(0o755)
    }
    const toml = readFileSync(join(r, 'etc/containerd/config.toml'), 'utf8')
    expect(toml).toContain('sandbox_image = "docker.io/kubeedge/pause:3.6"')
    expect(toml).toContain('SystemdCgroup = false')
    expect(readFileSync(join(r, 'etc/containerd/config.toml.kedge.bak'), 'utf8')).toBe(
      "# the operator's own\n"
    )
    expect(
      JSON.parse(readFileSync(join(r, 'etc/cni/net.d/10-containerd-net.conflist'), 'utf8'))
    ).toMatchObject({ plugins: [{ type: 'bridge', bridge: 'cni0' }, { type: 'portmap' }] })
    const edgecore = readFileSync(join(r, 'etc/kubeedge/config/edgecore.yaml'), 'utf8')
    expect(edgecore).toContain('169.254.96.16')
    expect(edgecore).toContain(`httpServer: https://127.0.0.1:10002`)
    expect(existsSync(join(r, 'etc/kubeedge/config/edgecore.yaml.kedge.bak'))).toBe(true)

    // The real containerd holds every bundled image.
    const bundle = JSON.parse(readFileSync(join(bundles.edge, 'meta/bundle.json'), 'utf8')) as {
      images: Array<{ name: string; manifestDigest: string }>
    }
    const listed = await containerd.listImages()
    for (const image of bundle.images)
      expect(listed.find(l => l.ref === image.name)?.digest).toBe(image.manifestDigest)

    // The recorded STUB calls: the order, and keadm join with every flag and --set.
    const calls = baseline.stubs.calls()
    const join_ = calls.find(c => c.tool === 'keadm')
    expect(join_?.args).toEqual([
      'join',
      '--kubeedge-version=v1.22.2',
      `--cloudcore-ipport=127.0.0.1:${net.cloudPort}`,
      `--certport=${net.certPort}`,
      `--token=${TOKEN}`,
      '--edgenode-name=edge-1',
      `--remote-runtime-endpoint=unix://${containerd.address}`,
      '--cgroupdriver=cgroupfs',
      '--set',
      'modules.metaManager.metaServer.enable=true,modules.edgeStream.enable=true,modules.edgeStream.server=127.0.0.1:10004,modules.edged.tailoredKubeletConfig.clusterDNS={169.254.96.16},modules.edged.tailoredKubeletConfig.clusterDomain=cluster.local'
    ])
    const order = calls.map(c => `${c.tool} ${c.args[0] ?? ''}`)
    expect(order.indexOf('systemctl enable')).toBeLessThan(order.indexOf('keadm join'))
    expect(order).toContain('systemctl restart')
    // The token never reaches the log.
    const log = readFileSync(join(r, 'var/log/kubeedge-edge-install.log'), 'utf8')
    expect(log).toContain('keadm join')
    expect(log).not.toContain(TOKEN)
    expect(run.stdout).not.toContain(TOKEN)
  })

  test('the containerd unit passes the real systemd-analyze verify', () => {
    const unit = join(baseline.root, 'etc/systemd/system/containerd.service')
    const check = spawnSync('systemd-analyze', ['verify', `--root=${baseline.root}`, unit], {
      encoding: 'utf8'
    })
    expect(check.status).toBe(0)
    expect(check.stderr.split('\n').filter(l => l.includes('containerd.service'))).toEqual([])
  })

  test('a re-run skips every step and changes nothing; verify passes on its own', async () => {
    const before = stable(baseline)
    const calls = baseline.stubs.calls().length
    const again = await runInstaller(bundles.edge, args(baseline), env(baseline))
    expect(again.code).toBe(0)
    expect(again.stdout.match(/done before, skipped/g)).toHaveLength(EDGE_STEPS.length)
    expect(stable(baseline)).toEqual(before)
    const mutating = baseline.stubs
      .calls()
      .slice(calls)
      .filter(c => !(c.tool === 'systemctl' && c.args[0] === 'is-active') && c.tool !== 'ip')
    expect(mutating).toEqual([])
    const verify = await runInstaller(
      bundles.edge,
      ['verify', '--root', baseline.root, '--containerd-address', containerd.address, '--json'],
      env(baseline)
    )
    expect(verify.code).toBe(0)
    const checks = (
      JSON.parse(verify.stdout.trim().split('\n').pop() ?? '{}') as {
        checks: Array<{ name: string; ok: boolean }>
      }
    ).checks
    expect(checks.map(c => c.name)).toEqual([
      'containerd active',
      'every bundled image present',
      'edgecore active',
      'metaServer answers 127.0.0.1:10550/api/v1/services',
      'edgemesh0 holds 169.254.96.16',
      'clusterDNS is 169.254.96.16'
    ])
    expect(checks.every(c => c.ok)).toBe(true)
  })

  test('crash after each step, then re-run: the same files and the same STUB calls as one clean run', async () => {
    const clean = fakeHost(work)
    expect((await runInstaller(bundles.edge, args(clean), env(clean))).code).toBe(0)
    const cleanFiles = stable(clean)
    const cleanCalls = clean.stubs.calls()
    const norm = (files: Record<string, string>, root: string) =>
      JSON.stringify(files).split(root).join('<root>')
    for (const step of EDGE_STEPS) {
      const host = fakeHost(work)
      const crashed = await runInstaller(
        bundles.edge,
        args(host),
        env(host, { KEDGE_FAIL_AFTER: step })
      )
      expect(crashed.code).toBe(1)
      expect(crashed.stdout).toContain(`KEDGE_FAIL_AFTER=${step}`)
      const resumed = await runInstaller(bundles.edge, args(host), env(host))
      expect(resumed.code).toBe(0)
      expect(resumed.stdout.match(/done before, skipped/g)).toHaveLength(
        EDGE_STEPS.indexOf(step) + 1
      )
      expect(norm(stable(host), host.root)).toBe(norm(cleanFiles, clean.root))
      expect(JSON.stringify(host.stubs.calls()).split(host.root).join('<root>')).toBe(
        JSON.stringify(cleanCalls).split(clean.root).join('<root>')
      )
      expect(Object.keys(state(host).steps)).toEqual(EDGE_STEPS)
    }
  })

  test('a changed input re-runs that step and the ones after it', async () => {
    const host = fakeHost(work)
    expect((await runInstaller(bundles.edge, args(host), env(host))).code).toBe(0)
    const changed = await runInstaller(
      bundles.edge,
      args(host, ['--cgroup-driver', 'systemd']),
      env(host)
    )
    expect(changed.code).toBe(0)
    expect(changed.stdout).toContain('[1] install-runtime: done before, skipped')
    expect(changed.stdout).toContain('[2] containerd-config: Write /etc/containerd/config.toml')
    expect(readFileSync(join(host.root, 'etc/containerd/config.toml'), 'utf8')).toContain(
      'SystemdCgroup = true'
    )
  })

  test('uninstall undoes in reverse, restores the backups, keeps the log', async () => {
    const calls = baseline.stubs.calls().length
    const run = await runInstaller(
      bundles.edge,
      ['uninstall', '--root', baseline.root, '--yes'],
      env(baseline)
    )
    expect(run.code).toBe(0)
    const made = baseline.stubs
      .calls()
      .slice(calls)
      .map(c => `${c.tool} ${c.args.join(' ')}`)
    expect(made).toEqual([
      'keadm reset edge --force',
      'systemctl disable --now containerd',
      'systemctl daemon-reload'
    ])
    const r = baseline.root
    expect(readFileSync(join(r, 'etc/containerd/config.toml'), 'utf8')).toBe(
      "# the operator's own\n"
    )
    for (const gone of [
      'usr/local/bin/containerd',
      'usr/local/sbin/runc',
      'opt/cni/bin/bridge',
      'etc/systemd/system/containerd.service',
      'etc/cni/net.d/10-containerd-net.conflist',
      'var/lib/kedge/state.json'
    ]) {
      expect(existsSync(join(r, gone))).toBe(false)
    }
    expect(existsSync(join(r, 'var/log/kubeedge-edge-install.log'))).toBe(true)
  })

  test('refusals: a tampered bundle leaves the root untouched; bad flags and the wrong side exit 2', async () => {
    const copy = join(work, 'tampered')
    execFileSync('cp', ['-a', bundles.edge, copy])
    appendFileSync(join(copy, 'bin/keadm'), 'x')
    writeFileSync(join(copy, 'extra.sh'), 'echo hi\n')
    const host = fakeHost(work)
    const before = snapshot(host.root)
    const run = await runInstaller(copy, args(host), env(host))
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('bin/keadm: changed (sha256 differs from SHA256SUMS)')
    expect(run.stderr).toContain('extra.sh: not in SHA256SUMS')
    expect(snapshot(host.root)).toEqual(before)
    expect(host.stubs.calls()).toEqual([])
    expect(readdirSync(join(host.root, 'run'))).toEqual(['systemd'])

    const bad = await runInstaller(
      bundles.edge,
      ['edge', '--root', host.root, '--cloudcore-ipport', 'nope', '--token', TOKEN],
      env(host)
    )
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--cloudcore-ipport: "nope" is not IP:PORT')
    const side = await runInstaller(
      bundles.edge,
      ['cloud', '--root', host.root, '--advertise-address', '127.0.0.1'],
      env(host)
    )
    expect(side.code).toBe(2)
    expect(side.stderr).toContain('this is the edge bundle')
  })

  test('preflight: an unreachable cloud and a non-empty /etc/kubeedge stop it before any change', async () => {
    const host = fakeHost(work)
    mkdirSync(join(host.root, 'etc/kubeedge'), { recursive: true })
    writeFileSync(join(host.root, 'etc/kubeedge/old.yaml'), 'x')
    const run = await runInstaller(
      bundles.edge,
      [
        'edge',
        '--root',
        host.root,
        '--containerd-address',
        containerd.address,
        '--cloudcore-ipport',
        '127.0.0.1:1',
        '--token',
        TOKEN,
        '--yes'
      ],
      env(host)
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('nothing was changed')
    expect(run.stderr).toContain('/etc/kubeedge is not empty')
    expect(run.stderr).toContain('the cloud 127.0.0.1:1 does not answer')
    expect(host.stubs.calls()).toEqual([])
    expect(existsSync(join(host.root, 'usr'))).toBe(true) // only the fixture's systemd link
    expect(existsSync(join(host.root, 'usr/local'))).toBe(false)
  })

  test('install.sh runs install.js on Node.js 18, the oldest runtime it supports', async () => {
    const node18 = join(repoRoot(), '.tmp', 'node18', 'bin', 'node')
    expect(existsSync(node18)).toBe(true) // fetched by scripts/ensure-tools.sh (npm test's pretest)
    const host = fakeHost(work)
    const bin = join(work, 'node18-bin')
    mkdirSync(bin, { recursive: true })
    if (!existsSync(join(bin, 'node'))) symlinkSync(node18, join(bin, 'node'))
    const e = env(host, { PATH: `${bin}:${host.stubs.env.PATH ?? ''}` })
    const run = await runInstaller(bundles.edge, args(host), e, true)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(readFileSync(join(host.root, 'var/log/kubeedge-edge-install.log'), 'utf8')).toContain(
      'on node v18.20.8'
    )
  })

  test('plan prints the ordered steps with commands and files, masks the token, changes nothing', async () => {
    const host = fakeHost(work)
    const plan = await runInstaller(bundles.edge, [...args(host), '--dry-run'], env(host))
    expect(plan.code).toBe(0)
    const steps = plan.stdout.match(/^\[\d\] [a-z0-9-]+/gm)?.map(s => s.replace(/^\[\d\] /, ''))
    expect(steps).toEqual(EDGE_STEPS)
    expect(plan.stdout).toContain('--token=***')
    expect(plan.stdout).not.toContain(TOKEN)
    expect(plan.stdout).toContain('write /etc/containerd/config.toml')
    expect(host.stubs.calls()).toEqual([])
    expect(existsSync(join(host.root, 'var'))).toBe(false)
  })
})
