/**
 * install.js cloud on a FAKE HOST: RECORDING STUBS for k3s (its kubectl and ctr), keadm and
 * helm answer; the k3s install.sh in the bundle is the stand-in script. What is checked is
 * the order, the exact commands, the files (0600 secrets) and the ConfigMap edit.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { setPath } from '@kedge/installer'
import * as bed from '../bed/index.js'
import {
  buildBundles,
  cloudArgs,
  fakeHost,
  runInstaller,
  type Bundles,
  type FakeHost
} from './fixture.js'

const CLOUD_STEPS = [
  'install-tools',
  'install-k3s',
  'wait-api',
  'import-images',
  'namespace',
  'istio-crds',
  'label-kubernetes-service',
  'keadm-init',
  'edge-token',
  'edgemesh'
]

describe('install.js cloud on a fake host (stubs: k3s, keadm, helm from the bundle; systemctl on PATH)', () => {
  let registry: bed.Registry
  let server: bed.FileServer
  let work: string
  let bundles: Bundles
  const args = (host: FakeHost) => cloudArgs(host)

  beforeAll(async () => {
    work = await bed.tempDir('install-cloud')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    registry = await bed.startRegistry()
    server = await bed.startFileServer()
    bundles = await buildBundles(await bed.bedSpec(server, registry), work)
  })
  afterAll(async () => {
    await server.stop()
    await registry.stop()
    await bed.removeDir(work)
  })

  test('the steps in order with the exact commands; token and PSK only in their 0600 files', async () => {
    const host = fakeHost(work)
    const run = await runInstaller(bundles.cloud, args(host), host.stubs.env)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(
      run.stdout
        .match(/^\[\d+\] [a-z0-9-]+: ok/gm)
        ?.map(l => l.replace(/^\[\d+\] /, '').replace(/: ok$/, ''))
    ).toEqual(CLOUD_STEPS)
    const calls = host.stubs.calls().map(c => `${c.tool} ${c.args.join(' ')}`)
    const at = (prefix: string) => calls.findIndex(c => c.startsWith(prefix))
    expect(at('k3s kubectl get --raw /readyz')).toBeLessThan(at('k3s ctr -n k8s.io images import'))
    expect(at('k3s ctr -n k8s.io images import')).toBeLessThan(
      at('k3s kubectl create namespace kubeedge')
    )
    expect(at('k3s kubectl apply -f')).toBeLessThan(at('keadm init'))
    expect(
      at(
        'k3s kubectl label service kubernetes -n default service.edgemesh.kubeedge.io/service-proxy-name= --overwrite'
      )
    ).toBeGreaterThan(-1)
    expect(
      calls.filter(c => c.startsWith('k3s kubectl wait --for=condition=Established'))
    ).toHaveLength(3)
    expect(calls[at('keadm init')]).toBe(
      `keadm init --kubeedge-version=v1.22.2 --advertise-address=192.0.2.10 --kube-config=${host.root}/etc/rancher/k3s/k3s.yaml --set cloudCore.modules.dynamicController.enable=true --set mosquitto.enable=true --set mosquitto.image.repository=eclipse-mosquitto,mosquitto.image.tag=1.6.15`
    )
    expect(at('keadm gettoken')).toBeLessThan(at('helm upgrade --install edgemesh'))
    const r = host.root
    // The cluster tools reach the host only from the bundle: each placed, then run by path.
    expect(host.stubs.env.PATH?.split(':')[0]).toBe(host.stubs.bin)
    expect(readdirSync(host.stubs.bin).sort()).toEqual(['ip', 'sudo', 'systemctl'])
    for (const bin of ['k3s', 'keadm', 'helm'])
      expect(statSync(join(r, 'usr/local/bin', bin)).mode & 0o777).toBe(0o755)
    // k3s's install.sh (stand-in, upstream's layout) links kubectl/crictl/ctr only where no
    // such command is on PATH (this machine has crictl on none), and writes its unit. The
    // installer never relies on a link: it runs k3s kubectl.
    expect(readlinkSync(join(r, 'usr/local/bin/crictl'))).toBe('k3s')
    expect(readFileSync(join(r, 'etc/systemd/system/k3s.service'), 'utf8')).toContain(
      `ExecStart=${r}/usr/local/bin/k3s server --node-name=cloud-1 --disable=servicelb`
    )
    expect(
      statSync(join(r, 'var/lib/rancher/k3s/agent/images/kedge-cloud-images.tar')).size
    ).toBeGreaterThan(0)
    for (const secret of ['edge-join.txt', 'edgemesh-psk.txt', 'edgemesh-values.yaml']) {
      expect(statSync(join(r, 'var/lib/kedge', secret)).mode & 0o777).toBe(0o600)
    }
    // The join file (the contract with the edge and the Ansible roles): comments, then keys.
    const join_ = readFileSync(join(r, 'var/lib/kedge/edge-join.txt'), 'utf8')
    const token = /^token=(\S+)$/m.exec(join_)?.[1] ?? ''
    const keys = join_.split('\n').filter(l => l && !l.startsWith('#'))
    expect(keys.map(l => l.split('=')[0])).toEqual([
      'cloudcore-ipport',
      'token',
      'edgemesh',
      'expires'
    ])
    expect(keys[0]).toBe('cloudcore-ipport=192.0.2.10:10000')
    expect(keys[2]).toBe('edgemesh=true')
    const expires = Date.parse(keys[3]?.slice('expires='.length) ?? '')
    expect(keys[3]).toMatch(/^expires=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(Math.abs(expires - Date.now() - 24 * 3600_000)).toBeLessThan(600_000)
    const psk = readFileSync(join(r, 'var/lib/kedge/edgemesh-psk.txt'), 'utf8').trim()
    expect(Buffer.from(psk, 'base64')).toHaveLength(32)
    const values = load(readFileSync(join(r, 'var/lib/kedge/edgemesh-values.yaml'), 'utf8')) as {
      agent: Record<string, unknown>
    }
    expect(values.agent).toEqual({
      image: 'kubeedge/edgemesh-agent:v1.17.0',
      psk,
      relayNodes: [{ nodeName: 'cloud-1', advertiseAddress: ['192.0.2.10'] }]
    })
    const log = readFileSync(join(r, 'var/log/kubeedge-cloud-install.log'), 'utf8')
    for (const text of [run.stdout, log]) {
      expect(text).not.toContain(token)
      expect(text).not.toContain(psk)
    }
    // The command to copy names the file, never the token.
    expect(run.stdout).toContain('    sudo ./install.sh edge --join-file edge-join.txt --yes\n')
    expect(run.stdout).not.toContain('--token')
    expect(run.stdout).toMatch(/PASS {2}cloudcore Running/)
    expect(run.stdout).not.toMatch(/FAIL/)
  })

  test('an existing cloudcore: dynamicController is set in the parsed cloudcore.yaml, the rest kept, keadm init not run', async () => {
    const host = fakeHost(work)
    const inner =
      'apiVersion: cloudcore.config.kubeedge.io/v1alpha2\nkind: CloudCore\nmodules:\n  cloudHub:\n    advertiseAddress:\n    - 192.0.2.10\n  dynamicController:\n    enable: false\n  router:\n    enable: true\n'
    host.stubs.setState({
      active: {},
      images: [],
      crds: [],
      cloudcore: true,
      configMap: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cloudcore', namespace: 'kubeedge', resourceVersion: '9' },
        data: { 'cloudcore.yaml': inner }
      }
    })
    const run = await runInstaller(bundles.cloud, args(host), host.stubs.env)
    expect(run.code).toBe(0)
    const calls = host.stubs.calls().map(c => `${c.tool} ${c.args.join(' ')}`)
    expect(calls.some(c => c.startsWith('keadm init'))).toBe(false)
    expect(calls).toContain('k3s kubectl -n kubeedge rollout restart deployment cloudcore')
    const state = host.stubs.state() as { configMapText: string; replaced: number }
    expect(state.replaced).toBe(1)
    const written = load(state.configMapText) as {
      data: Record<string, string>
      metadata: Record<string, unknown>
    }
    const expected = load(inner) as Record<string, unknown>
    setPath(expected, 'modules.dynamicController.enable', true)
    expect(load(written.data['cloudcore.yaml'] ?? '')).toEqual(expected)
    expect(written.metadata.resourceVersion).toBeUndefined()
  })

  test('uninstall: helm uninstall, keadm reset, then the files; the token and PSK stay unless --purge', async () => {
    const host = fakeHost(work)
    expect((await runInstaller(bundles.cloud, args(host), host.stubs.env)).code).toBe(0)
    const before = host.stubs.calls().length
    const run = await runInstaller(
      bundles.cloud,
      ['uninstall', '--root', host.root, '--yes'],
      host.stubs.env
    )
    expect(run.code).toBe(0)
    const calls = host.stubs
      .calls()
      .slice(before)
      .map(c => `${c.tool} ${c.args.slice(0, 2).join(' ')}`)
    // keadm reset cloud (the bare reset is deprecated in v1.22), then k3s-uninstall.sh.
    expect(calls).toEqual([
      'helm uninstall edgemesh',
      'keadm reset cloud',
      'systemctl stop k3s',
      'systemctl disable k3s'
    ])
    expect(existsSync(join(host.root, 'usr/local/bin/k3s'))).toBe(false)
    expect(existsSync(join(host.root, 'var/lib/kedge/edgemesh-values.yaml'))).toBe(false)
    expect(existsSync(join(host.root, 'var/lib/kedge/edge-join.txt'))).toBe(true)
    expect(existsSync(join(host.root, 'var/lib/kedge/edgemesh-psk.txt'))).toBe(true)
    expect((await runInstaller(bundles.cloud, args(host), host.stubs.env)).code).toBe(0)
    expect(
      (
        await runInstaller(
          bundles.cloud,
          ['uninstall', '--root', host.root, '--purge', '--yes'],
          host.stubs.env
        )
      ).code
    ).toBe(0)
    expect(existsSync(join(host.root, 'var/lib/kedge/edgemesh-psk.txt'))).toBe(false)
  })

  test('--no-edgemesh leaves out the CRDs, the label and EdgeMesh; --kubeconfig skips k3s', async () => {
    const host = fakeHost(work)
    const plan = await runInstaller(
      bundles.cloud,
      [...args(host), '--no-edgemesh', '--kubeconfig', '/etc/kube/admin.conf', '--dry-run'],
      host.stubs.env
    )
    expect(plan.code).toBe(0)
    expect(
      plan.stdout.match(/^\[\d+\] [a-z0-9-]+/gm)?.map(s => s.replace(/^\[\d+\] /, ''))
    ).toEqual(['install-tools', 'namespace', 'keadm-init', 'edge-token'])
    expect(plan.stdout).toContain(
      'kubectl --kubeconfig /etc/kube/admin.conf create namespace kubeedge'
    )
  })
})
