/**
 * The cloud upgrade steps: back up (files, the cloudcore ConfigMap), import the new images
 * into k3s's containerd, k3s as k3s documents for air-gapped hosts (new binary and images,
 * install.sh again with INSTALL_K3S_SKIP_DOWNLOAD and a forced restart), `keadm upgrade
 * cloud --reuse-values` with the dynamicController --set repeated, then EdgeMesh with
 * `helm upgrade`.
 */
import { enableDynamicController } from '../config.js'
import {
  bundleFile,
  CLOUDCORE_PHASES,
  importImages,
  KEDGE_DIR,
  waitFor,
  type Step,
  placed
} from '../steps/common.js'
import { backupFiles } from './backup.js'
import { bundleHas, vVersion, type Upgrade } from './context.js'
import { changed } from './plan.js'
import { INSTALL_OPTIONS, INSTALLED_BUNDLE } from './record.js'

const K3S_IMAGES = '/var/lib/rancher/k3s/agent/images/kedge-cloud-images.tar'
const VALUES = `${KEDGE_DIR}/edgemesh-values.yaml`
const GET_CM = ['-n', 'kubeedge', 'get', 'configmap', 'cloudcore', '-o', 'yaml']

const kubeconfig = (u: Upgrade): string =>
  u.ctx.options.kubeconfig ?? u.ctx.host.path('/etc/rancher/k3s/k3s.yaml')

function k(
  u: Upgrade,
  args: string[],
  allowFailure = false
): ReturnType<Upgrade['ctx']['host']['run']> {
  const { host, options } = u.ctx
  return options.kubeconfig
    ? host.run('kubectl', ['--kubeconfig', options.kubeconfig, ...args], { allowFailure })
    : host.run(placed(host, 'k3s'), ['kubectl', ...args], { allowFailure })
}

function backupStep(u: Upgrade): Step {
  const { host } = u.ctx
  const paths = [
    '/usr/local/bin/k3s',
    '/usr/local/bin/keadm',
    K3S_IMAGES,
    VALUES,
    INSTALLED_BUNDLE,
    INSTALL_OPTIONS
  ]
  return {
    name: 'upgrade-backup',
    title: `Back up what the upgrade changes into ${u.backup}, with the cloudcore ConfigMap`,
    inputs: { from: u.installed.bundle.name, paths },
    plan: [
      `copy ${paths.join(', ')} to ${u.backup}/files/`,
      `kubectl ${GET_CM.join(' ')} > ${u.backup}/cloudcore-configmap.yaml (0600)`,
      `helm status cloudcore|edgemesh -n kubeedge -o json: the revisions rollback returns to`
    ],
    run: async () => {
      u.ctx.say(`  backed up ${backupFiles(host, u.backup, paths)} files to ${host.path(u.backup)}`)
      const cm = await k(u, GET_CM, true)
      if (cm.code === 0) host.write(`${u.backup}/cloudcore-configmap.yaml`, cm.stdout, 0o600)
      const revisions: Record<string, number> = {}
      for (const release of ['cloudcore', 'edgemesh']) {
        const status = await host.run(
          placed(host, 'helm'),
          ['status', release, '-n', 'kubeedge', '--kubeconfig', kubeconfig(u), '-o', 'json'],
          { allowFailure: true }
        )
        if (status.code === 0)
          revisions[release] = (JSON.parse(status.stdout) as { version: number }).version
      }
      host.write(`${u.backup}/helm-revisions.json`, `${JSON.stringify(revisions)}\n`, 0o600)
      u.ctx.say(`  helm revisions before the upgrade: ${JSON.stringify(revisions)}`)
    }
  }
}

function imagesStep(u: Upgrade): Step {
  const { bundle } = u.ctx
  return {
    name: 'upgrade-images',
    title: `Import the ${bundle.images.length} images of the new bundle into k3s's containerd first`,
    inputs: { images: bundle.images.map(i => `${i.name}@${i.manifestDigest}`) },
    plan: [
      `k3s ctr -n k8s.io images import --platform linux/${bundle.arch} images/cloud-images.tar`
    ],
    run: () =>
      importImages(
        u.ctx,
        [placed(u.ctx.host, 'k3s'), ['ctr', '-n', 'k8s.io', 'images', 'import']],
        [placed(u.ctx.host, 'k3s'), ['ctr', '-n', 'k8s.io', 'images', 'ls', '-q']]
      )
  }
}

function k3sStep(u: Upgrade): Step {
  const { host, bundle, options } = u.ctx
  const exec = [
    `--node-name=${options.nodeName}`,
    ...(options.disableTraefik ? ['--disable=traefik'] : [])
  ].join(' ')
  const env = {
    INSTALL_K3S_SKIP_DOWNLOAD: 'true',
    INSTALL_K3S_EXEC: exec,
    INSTALL_K3S_FORCE_RESTART: 'true'
  }
  const full = u.delta === null
  return {
    name: 'upgrade-k3s',
    title: `Upgrade k3s to ${bundle.versions.k3s} the air-gap way (binary, images, install.sh, forced restart)`,
    inputs: { k3s: bundle.versions.k3s, exec },
    plan: [
      'install bin/k3s -> /usr/local/bin/k3s (0755)',
      full
        ? `install images/cloud-images.tar -> ${K3S_IMAGES}`
        : `keep ${K3S_IMAGES} (a delta's archive is partial; its images are imported already)`,
      `${Object.entries(env)
        .map(([n, v]) => `${n}="${v}"`)
        .join(' ')} sh bin/k3s-install.sh`
    ],
    run: async () => {
      host.install(bundleFile(u.ctx, 'bin/k3s'), '/usr/local/bin/k3s', 0o755)
      if (full) host.install(bundleFile(u.ctx, 'images/cloud-images.tar'), K3S_IMAGES, 0o644)
      await host.run('sh', [bundleFile(u.ctx, 'bin/k3s-install.sh')], { env, timeoutMs: 600_000 })
      await waitFor(
        u.ctx,
        'the Kubernetes API after the k3s upgrade',
        'see journalctl -u k3s',
        async () => (await k(u, ['get', '--raw', '/readyz'], true)).code === 0
      )
    }
  }
}

export function cloudcoreArgs(u: Upgrade): string[] {
  const { bundle } = u.ctx
  return [
    ...['upgrade', 'cloud', `--kubeedge-version=${vVersion(bundle.versions.kubeedge)}`],
    `--kube-config=${kubeconfig(u)}`,
    '--reuse-values',
    ...['--set', 'cloudCore.modules.dynamicController.enable=true'],
    ...['--set', `mosquitto.enable=${String(bundle.mosquitto.enabled)}`]
  ]
}

function cloudcoreStep(u: Upgrade): Step {
  const { host } = u.ctx
  const args = cloudcoreArgs(u)
  return {
    name: 'upgrade-cloudcore',
    title: `Upgrade CloudCore to ${vVersion(u.ctx.bundle.versions.kubeedge)} (keadm upgrade cloud --reuse-values, dynamicController kept on)`,
    inputs: { args },
    plan: [
      'install bin/keadm -> /usr/local/bin/keadm (0755): the new keadm carries the new chart',
      `keadm ${args.join(' ')}`,
      'wait for cloudcore Running; read the ConfigMap back, turn dynamicController on if it went'
    ],
    run: async () => {
      if (bundleHas(u.ctx, 'bin/keadm'))
        host.install(bundleFile(u.ctx, 'bin/keadm'), '/usr/local/bin/keadm', 0o755)
      await host.run(placed(host, 'keadm'), args, { timeoutMs: 600_000 })
      await waitFor(
        u.ctx,
        'cloudcore to be Running',
        'kubectl -n kubeedge describe pod -l kubeedge=cloudcore',
        async () => (await k(u, CLOUDCORE_PHASES, true)).stdout.split(/\s+/).includes('Running')
      )
      const { yaml, changed: off } = await enableDynamicController((await k(u, GET_CM)).stdout)
      if (!off) {
        u.ctx.say('  dynamicController still on')
        return
      }
      u.ctx.say('  dynamicController was off after the upgrade: turning it on again')
      host.write(`${KEDGE_DIR}/cloudcore-configmap.yaml`, yaml, 0o600)
      await k(u, ['replace', '-f', host.path(`${KEDGE_DIR}/cloudcore-configmap.yaml`)])
      await k(u, ['-n', 'kubeedge', 'rollout', 'restart', 'deployment', 'cloudcore'])
    }
  }
}

function edgemeshStep(u: Upgrade): Step {
  const { host, bundle } = u.ctx
  const chart = bundleFile(u.ctx, 'charts/edgemesh.tgz')
  const rollout = [
    '-n',
    'kubeedge',
    'rollout',
    'status',
    'daemonset/edgemesh-agent',
    '--timeout=300s'
  ]
  return {
    name: 'upgrade-edgemesh',
    title: `Upgrade EdgeMesh to ${bundle.versions.edgemesh} (helm upgrade, the same PSK and relays)`,
    inputs: { version: bundle.versions.edgemesh },
    plan: [
      `set agent.image in ${VALUES} to kubeedge/edgemesh-agent:${bundle.versions.edgemesh}`,
      `helm upgrade edgemesh charts/edgemesh.tgz -n kubeedge --kubeconfig ${kubeconfig(u)} -f ${VALUES}`
    ],
    run: async () => {
      if (!host.exists(VALUES))
        throw new Error(
          `${host.path(VALUES)} is missing: the install's EdgeMesh values (PSK, relays) are needed; restore it from the backup`
        )
      const values = host
        .read(VALUES)
        .replace(/^( {2}image: kubeedge\/edgemesh-agent:).*$/m, `$1${bundle.versions.edgemesh}`)
      host.write(VALUES, values, 0o600)
      await host.run(placed(host, 'helm'), [
        'upgrade',
        'edgemesh',
        chart,
        '-n',
        'kubeedge',
        '--kubeconfig',
        kubeconfig(u),
        '-f',
        host.path(VALUES)
      ])
      await k(u, rollout)
    }
  }
}

export function cloudUpgradeSteps(u: Upgrade): Step[] {
  const on = (u.ctx.options.edgemesh ?? true) && u.ctx.bundle.edgemesh.enabled
  return [
    backupStep(u),
    ...(u.ctx.options.kubeconfig ? [] : [imagesStep(u)]),
    ...(changed(u.changes, 'k3s') && !u.ctx.options.kubeconfig ? [k3sStep(u)] : []),
    ...(changed(u.changes, 'kubeedge') ? [cloudcoreStep(u)] : []),
    ...(on && changed(u.changes, 'edgemesh') ? [edgemeshStep(u)] : [])
  ]
}
