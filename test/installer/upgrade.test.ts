/**
 * install.js upgrade on FAKE HOSTS: base bundle N (KubeEdge v1.22.0) installed with the
 * RECORDING STUBS (systemctl, keadm, k3s, kubectl, helm, ip), then N+1 (v1.22.2, new keadm
 * STAND-IN, new synthetic images) as a full bundle or as the delta from N. The edge's images
 * go into the REAL containerd of the test bed, so the delta upgrade shows every image
 * listed, complete and unpacked. One cloud bundle is DOCTORED (k3s version bumped, its
 * install.sh replaced by a script that records its environment) to drive the k3s air-gap
 * path, which the bed has no second k3s release for.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { dump, load } from 'js-yaml'
import { buildDelta, type BundleSpec } from '@kedge/bundle'
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

const read = (root: string, p: string): string => readFileSync(join(root, p), 'utf8')
const okSteps = (stdout: string): string[] =>
  (stdout.match(/^\[\d\] [a-z0-9-]+: ok/gm) ?? []).map(l =>
    l.replace(/^\[\d\] /, '').replace(/: ok$/, '')
  )
const call = (host: FakeHost): string[] =>
  host.stubs.calls().map(c => `${c.tool} ${c.args.join(' ')}`)

/** SHA256SUMS again after a test changed files of an extracted bundle (doctored bundles). */
function resum(dir: string): void {
  const files = execFileSync('find', ['.', '-type', 'f', '!', '-name', 'SHA256SUMS'], { cwd: dir })
    .toString()
    .trim()
    .split('\n')
    .map(f => f.replace(/^\.\//, ''))
    .sort()
  writeFileSync(join(dir, 'SHA256SUMS'), execFileSync('sha256sum', files, { cwd: dir }))
}

let registry: bed.Registry
let server: bed.FileServer
let containerd: bed.Containerd
let work: string
let n: Bundles
let n1: Bundles
let delta: string
let cloudDelta: string
let net: Listeners
let spec: BundleSpec

beforeAll(async () => {
  work = await bed.tempDir('upgrade')
  process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
  process.env.RUNNER_TEMP = join(work, 'temp')
  registry = await bed.startRegistry()
  server = await bed.startFileServer()
  containerd = await bed.startContainerd()
  net = await listeners()
  // N is v1.22.0, the release before the pin; N+1 is the pinned v1.22.2.
  spec = await bed.previousRelease(server, registry, await bed.bedSpec(server, registry))
  const next = await bed.nextRelease(server, registry, spec)
  n = await buildBundles(spec, join(work, 'n'))
  n1 = await buildBundles(next, join(work, 'n1'))
  const built = (b: string, dir: string) => join(work, dir, 'bundles', basename(b))
  const d = await buildDelta({
    client: {
      mirrors: parseMirrors(spec.registry.mirrors.join('\n')),
      insecure: spec.registry.insecure
    },
    base: `${built(n.edge, 'n')}.bundle.json`,
    baseSha256: execFileSync('sha256sum', [`${built(n.edge, 'n')}.tar.gz`])
      .toString()
      .split(' ')[0],
    bundle: `${built(n1.edge, 'n1')}.tar.gz`,
    outputDir: join(work, 'delta')
  })
  execFileSync('tar', ['-xzf', d.bundle, '-C', join(work, 'delta')])
  delta = join(work, 'delta', d.name)
  const c = await buildDelta({
    client: {
      mirrors: parseMirrors(spec.registry.mirrors.join('\n')),
      insecure: spec.registry.insecure
    },
    base: `${built(n.cloud, 'n')}.bundle.json`,
    baseSha256: execFileSync('sha256sum', [`${built(n.cloud, 'n')}.tar.gz`])
      .toString()
      .split(' ')[0],
    bundle: `${built(n1.cloud, 'n1')}.tar.gz`,
    outputDir: join(work, 'delta')
  })
  execFileSync('tar', ['-xzf', c.bundle, '-C', join(work, 'delta')])
  cloudDelta = join(work, 'delta', c.name)
}, 600_000)
afterAll(async () => {
  await net.close()
  await containerd.stop()
  await server.stop()
  await registry.stop()
  await bed.removeDir(work)
})

describe('install.js upgrade, edge (stubs: systemctl, keadm, ip; real containerd)', () => {
  const env = (host: FakeHost, extra: Record<string, string> = {}) => ({
    ...host.stubs.env,
    KEDGE_METASERVER: net.metaServer,
    ...extra
  })
  const install = async (bundle = n.edge): Promise<FakeHost> => {
    const host = fakeHost(work)
    const run = await runInstaller(bundle, edgeArgs(host, containerd.address, net), env(host))
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    return host
  }
  const upgrade = (host: FakeHost, bundle: string, extra: string[] = [], e = {}) =>
    runInstaller(bundle, ['upgrade', '--root', host.root, '--yes', ...extra], env(host, e))

  test('stub: the delta N -> N+1: plan, backups, keadm backup + upgrade edge, settings kept, every image complete and unpacked, verify reports v1.22.2', async () => {
    const host = await install()
    // An operator's edit lost: the upgrade's read-back must put clusterDNS back.
    const doc = load(read(host.root, 'etc/kubeedge/config/edgecore.yaml')) as {
      modules: { edged: { tailoredKubeletConfig: Record<string, unknown> } }
    }
    delete doc.modules.edged.tailoredKubeletConfig.clusterDNS
    writeFileSync(join(host.root, 'etc/kubeedge/config/edgecore.yaml'), dump(doc))
    const before = call(host).length
    const run = await upgrade(host, delta)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`upgrade ${basename(n.edge)} -> ${basename(delta)}`)
    expect(run.stdout).toMatch(/kubeedge\s+v1\.22\.0 -> v1\.22\.2/)
    expect(run.stdout).toMatch(/containerd\s+\S+ \(unchanged\)/)
    expect(run.stdout).toContain(`a delta from ${basename(n.edge)}`)
    expect(okSteps(run.stdout)).toEqual([
      'upgrade-backup',
      'upgrade-runtime',
      'upgrade-images',
      'keadm-upgrade',
      'wait-edgecore',
      'upgrade-edgecore-config'
    ])
    expect(run.stdout).toContain(
      'repairing in edgecore.yaml: modules.edged.tailoredKubeletConfig.clusterDNS'
    )
    const calls = call(host).slice(before)
    const keadm = calls.filter(c => c.startsWith('keadm '))
    const config = `--config=${host.root}/etc/kubeedge/config/edgecore.yaml`
    expect(keadm).toEqual([
      `keadm backup edge ${config}`,
      `keadm upgrade edge --toVersion=v1.22.2 ${config} --force`
    ])
    expect(read(host.root, 'usr/local/bin/keadm')).toContain('keadm v1.22.2')
    expect(read(host.root, 'etc/kubeedge/config/edgecore.yaml')).toContain('169.254.96.16')
    expect(existsSync(join(host.root, 'etc/kubeedge/backup/v1.22.0/edgecore.yaml'))).toBe(true)
    // kedge's own backup holds N's keadm and its records.
    const backup = join(host.root, 'var/lib/kedge/upgrade-backup', basename(n.edge), 'files')
    expect(readFileSync(join(backup, 'usr/local/bin/keadm'), 'utf8')).toContain('keadm v1.22.0')
    expect(readFileSync(join(backup, 'var/lib/kedge/bundle.json'), 'utf8')).toBe(
      read(n.edge, 'meta/bundle.json')
    )
    // The real containerd: every image of N+1 listed, complete and unpacked.
    const wanted = (
      JSON.parse(read(n1.edge, 'meta/bundle.json')) as { images: Array<{ name: string }> }
    ).images.map(i => i.name)
    const rows = bed.parseCheck((await containerd.ctr(['images', 'check'])).stdout)
    for (const name of wanted) {
      expect(rows.find(r => r.ref === name)).toEqual({ ref: name, complete: true, unpacked: true })
    }
    // verify afterwards, with the new versions.
    expect(run.stdout).toMatch(
      /PASS {2}installed bundle: kubeedge-edge-1\.22\.2-\S+: kubeedge v1\.22\.2/
    )
    expect(run.stdout).toContain('PASS  edgecore version: v1.22.2')
    expect(run.stdout).not.toMatch(/FAIL/)
    expect(JSON.parse(read(host.root, 'var/lib/kedge/state.json'))).toMatchObject({
      bundle: basename(n1.edge)
    })
    // Run again: nothing to do.
    const again = await upgrade(host, delta)
    expect(again.stdout).toContain(`already runs`)
    expect(again.code).toBe(0)
  })

  test('stub: killed after keadm-upgrade, the re-run resumes; then --rollback restores N (keadm rollback edge, keadm, records) and N verifies', async () => {
    const host = await install()
    const killed = await upgrade(host, n1.edge, [], { KEDGE_FAIL_AFTER: 'keadm-upgrade' })
    expect(killed.code).toBe(1)
    expect(okSteps(killed.stdout).at(-1)).toBe('keadm-upgrade')
    const resumed = await upgrade(host, n1.edge)
    expect(resumed.stderr).toBe('')
    expect(resumed.code).toBe(0)
    for (const s of ['upgrade-backup', 'upgrade-runtime', 'upgrade-images', 'keadm-upgrade'])
      expect(resumed.stdout).toContain(`${s}: done before, skipped`)
    expect(okSteps(resumed.stdout)).toEqual(['wait-edgecore', 'upgrade-edgecore-config'])
    expect(call(host).filter(c => c.startsWith('keadm upgrade'))).toHaveLength(1)

    const before = call(host).length
    const back = await runInstaller(
      n1.edge,
      ['upgrade', '--rollback', '--root', host.root],
      env(host)
    )
    expect(back.stderr).toBe('')
    expect(back.code).toBe(0)
    expect(back.stdout).toContain(`rolling back ${basename(n1.edge)} -> ${basename(n.edge)}`)
    expect(back.stdout).toContain('keadm rollback edge')
    expect(back.stdout).toContain('restored /usr/local/bin/keadm')
    // keadm join placed edgecore (as upstream's does), so the rollback restores N's.
    expect(back.stdout).toContain('restored /usr/local/bin/edgecore')
    expect(
      call(host)
        .slice(before)
        .filter(c => c.startsWith('keadm'))
    ).toEqual([`keadm rollback edge --config=${host.root}/etc/kubeedge/config/edgecore.yaml`])
    expect(read(host.root, 'usr/local/bin/keadm')).toContain('keadm v1.22.0')
    expect(read(host.root, 'var/lib/kedge/bundle.json')).toBe(read(n.edge, 'meta/bundle.json'))
    expect(JSON.parse(read(host.root, 'var/lib/kedge/state.json'))).toMatchObject({
      bundle: basename(n.edge)
    })
    const verify = await runInstaller(
      n.edge,
      ['verify', '--root', host.root, '--containerd-address', containerd.address],
      env(host)
    )
    expect(verify.stdout).not.toMatch(/FAIL/)
    expect(verify.code).toBe(0)
  })

  test('stub: a DOCTORED N+1 with a newer runc and CNI bridge: only those files are replaced, containerd restarted; rollback puts them back', async () => {
    const doctored = join(work, 'doctored-edge', basename(n1.edge))
    cpSync(n1.edge, doctored, { recursive: true })
    const meta = JSON.parse(read(doctored, 'meta/bundle.json')) as { versions: { runc: string } }
    // A hypothetical later runc patch: this bundle is doctored by hand, not built.
    meta.versions.runc = 'v1.3.7'
    writeFileSync(join(doctored, 'meta/bundle.json'), JSON.stringify(meta, null, 2))
    writeFileSync(join(doctored, 'bin/runc'), '#!/bin/sh\necho "runc v1.3.7 (doctored stand-in)"\n')
    writeFileSync(
      join(doctored, 'cni/bin/bridge'),
      '#!/bin/sh\necho "bridge (doctored stand-in)"\n'
    )
    resum(doctored)
    const host = await install()
    const before = call(host).length
    const run = await upgrade(host, doctored)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/runc\s+v1\.3\.6 -> v1\.3\.7/)
    expect(run.stdout).toContain('replaced 2 runtime files')
    expect(read(host.root, 'usr/local/sbin/runc')).toContain('runc v1.3.7')
    expect(read(host.root, 'opt/cni/bin/bridge')).toContain('doctored')
    expect(read(host.root, 'usr/local/bin/containerd')).toBe(read(n.edge, 'bin/containerd'))
    expect(call(host).slice(before)).toContain('systemctl restart containerd')
    const back = await runInstaller(
      doctored,
      ['upgrade', '--rollback', '--root', host.root],
      env(host)
    )
    expect(back.code).toBe(0)
    expect(back.stdout).toContain('restarted containerd with the previous binaries')
    expect(read(host.root, 'usr/local/sbin/runc')).toBe(read(n.edge, 'bin/runc'))
    expect(read(host.root, 'opt/cni/bin/bridge')).toBe(read(n.edge, 'cni/bin/bridge'))
  })

  test('refuses, changing nothing: a downgrade, a host with nothing installed, a delta whose base blobs containerd lacks', async () => {
    const host = await install(n1.edge)
    const stable = () => snapshot(host.root, p => p.startsWith('/var/log/'))
    const before = stable()
    const down = await upgrade(host, n.edge)
    expect(down.code).toBe(1)
    expect(down.stderr).toContain(
      'kubeedge v1.22.0 is older than the installed v1.22.2: kedge does not downgrade'
    )
    expect(down.stderr).toContain('nothing was changed')
    expect(stable()).toEqual(before)

    const empty = fakeHost(work)
    const none = await upgrade(empty, n1.edge)
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('no kedge bundle is installed on this host')
    const fromDelta = await runInstaller(
      delta,
      edgeArgs(empty, containerd.address, net),
      env(empty)
    )
    expect(fromDelta.code).toBe(2)
    expect(fromDelta.stderr).toContain(
      `is a delta bundle: it upgrades a host that runs ${basename(n.edge)} (node install.js upgrade), and cannot install one; to install, use the full bundle ${basename(n1.edge)}.tar.gz`
    )
    expect(snapshot(empty.root, p => p.startsWith('/var/log/'))).toEqual({})

    // N installed, but the containerd it now talks to has none of N's blobs.
    const base = await install()
    const fresh = await bed.startContainerd()
    try {
      const file = join(base.root, 'var/lib/kedge/install-options.json')
      const options = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
      writeFileSync(file, JSON.stringify({ ...options, containerdAddress: fresh.address }))
      const refused = await upgrade(base, delta)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        `Install the full bundle ${basename(n1.edge)}.tar.gz instead`
      )
      expect(refused.stderr).toMatch(/leaves out \d+ image blob\(s\) that the base/)
    } finally {
      await fresh.stop()
    }
  })
})

describe('install.js upgrade, cloud (stubs: k3s, kubectl, keadm, helm)', () => {
  const cloudArgs = (host: FakeHost) => [
    'cloud',
    ...['--root', host.root, '--advertise-address', '192.0.2.10', '--node-name', 'cloud-1'],
    '--yes'
  ]
  const install = async (): Promise<FakeHost> => {
    const host = fakeHost(work)
    const run = await runInstaller(n.cloud, cloudArgs(host), host.stubs.env)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    return host
  }

  test('stub: images first, keadm upgrade cloud --reuse-values with dynamicController kept on, verify reports v1.22.2; --rollback is a helm rollback to the recorded revision', async () => {
    const host = await install()
    const before = call(host).length
    const run = await runInstaller(
      n1.cloud,
      ['upgrade', '--root', host.root, '--yes'],
      host.stubs.env
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(okSteps(run.stdout)).toEqual(['upgrade-backup', 'upgrade-images', 'upgrade-cloudcore'])
    const calls = call(host).slice(before)
    const at = (p: string) => calls.findIndex(c => c.startsWith(p))
    expect(at('k3s ctr -n k8s.io images import')).toBeGreaterThan(-1)
    expect(at('k3s ctr -n k8s.io images import')).toBeLessThan(at('keadm upgrade cloud'))
    expect(calls.find(c => c.startsWith('keadm upgrade'))).toBe(
      `keadm upgrade cloud --kubeedge-version=v1.22.2 --kube-config=${host.root}/etc/rancher/k3s/k3s.yaml --reuse-values --set cloudCore.modules.dynamicController.enable=true --set mosquitto.enable=true`
    )
    expect(run.stdout).toContain('dynamicController still on')
    expect(run.stdout).toContain('PASS  cloudcore version: v1.22.2')
    expect(run.stdout).toContain('PASS  dynamicController enabled')
    expect(run.stdout).not.toMatch(/FAIL/)
    const backup = join(host.root, 'var/lib/kedge/upgrade-backup', basename(n.cloud))
    expect(readFileSync(join(backup, 'helm-revisions.json'), 'utf8')).toBe(
      '{"cloudcore":1,"edgemesh":1}\n'
    )
    expect(readdirSync(backup)).toContain('cloudcore-configmap.yaml')

    const mark = call(host).length
    const back = await runInstaller(
      n1.cloud,
      ['upgrade', '--rollback', '--root', host.root],
      host.stubs.env
    )
    expect(back.stderr).toBe('')
    expect(back.code).toBe(0)
    expect(call(host).slice(mark)).toContain(
      `helm rollback cloudcore 1 -n kubeedge --kubeconfig ${host.root}/etc/rancher/k3s/k3s.yaml`
    )
    expect(back.stdout).toContain('helm release cloudcore back to revision 1')
    expect(read(host.root, 'var/lib/kedge/bundle.json')).toBe(read(n.cloud, 'meta/bundle.json'))
  })

  test("stub: the cloud delta N -> N+1: the left-out blobs are checked in k3s's content store, then the same upgrade; refused when they are gone", async () => {
    const host = await install()
    const run = await runInstaller(
      cloudDelta,
      ['upgrade', '--root', host.root, '--yes'],
      host.stubs.env
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`a delta from ${basename(n.cloud)}`)
    expect(okSteps(run.stdout)).toEqual(['upgrade-backup', 'upgrade-images', 'upgrade-cloudcore'])
    expect(call(host)).toContain('k3s ctr -n k8s.io content ls -q')
    expect(run.stdout).toContain('PASS  cloudcore version: v1.22.2')
    expect(run.stdout).not.toMatch(/FAIL/)

    const bare = await install()
    bare.stubs.setState({ ...bare.stubs.state(), blobs: [] })
    const refused = await runInstaller(
      cloudDelta,
      ['upgrade', '--root', bare.root, '--yes'],
      bare.stubs.env
    )
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`Install the full bundle ${basename(n1.cloud)}.tar.gz instead`)
  })

  test('stub: a DOCTORED bundle with a newer k3s: binary and images replaced, install.sh run again with SKIP_DOWNLOAD, the same EXEC and a forced restart; rollback restarts the old binary', async () => {
    const doctored = join(work, 'doctored', basename(n1.cloud))
    cpSync(n1.cloud, doctored, { recursive: true })
    const meta = JSON.parse(read(doctored, 'meta/bundle.json')) as { versions: { k3s: string } }
    const newer = meta.versions.k3s.replace(/\+k3s(\d+)$/, (_, b: string) => `+k3s${Number(b) + 1}`)
    meta.versions.k3s = newer
    writeFileSync(join(doctored, 'meta/bundle.json'), JSON.stringify(meta, null, 2))
    writeFileSync(join(doctored, 'bin/k3s'), bed.clusterTool(`k3s ${newer} (doctored)`))
    writeFileSync(
      join(doctored, 'bin/k3s-install.sh'),
      '#!/bin/sh\nenv | grep ^INSTALL_K3S_ | sort > "$KEDGE_STUB_ROOT/../k3s-install.env"\n'
    )
    resum(doctored)
    const host = await install()
    const run = await runInstaller(
      doctored,
      ['upgrade', '--root', host.root, '--yes'],
      host.stubs.env
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const old = (JSON.parse(read(n.cloud, 'meta/bundle.json')) as { versions: { k3s: string } })
      .versions.k3s
    expect(run.stdout).toContain(`k3s         ${old} -> ${newer}`)
    expect(okSteps(run.stdout)).toEqual([
      'upgrade-backup',
      'upgrade-images',
      'upgrade-k3s',
      'upgrade-cloudcore'
    ])
    expect(readFileSync(join(host.root, '..', 'k3s-install.env'), 'utf8')).toBe(
      'INSTALL_K3S_EXEC=--node-name=cloud-1\nINSTALL_K3S_FORCE_RESTART=true\nINSTALL_K3S_SKIP_DOWNLOAD=true\n'
    )
    expect(read(host.root, 'usr/local/bin/k3s')).toContain(newer)
    const back = await runInstaller(
      doctored,
      ['upgrade', '--rollback', '--root', host.root],
      host.stubs.env
    )
    expect(back.code).toBe(0)
    expect(back.stdout).toContain('restarted k3s with the previous binary')
    expect(read(host.root, 'usr/local/bin/k3s')).toBe(read(n.cloud, 'bin/k3s'))
    expect(call(host)).toContain('systemctl restart k3s')
  })
})
