/**
 * The edge upgrade steps: back up, the changed runtime files (containerd, runc, CNI), the
 * new images, keadm backup + keadm upgrade edge --toVersion, then wait for edgecore and
 * read back the edgecore.yaml settings EdgeMesh needs (repair them if they went).
 */
import { readdirSync } from 'node:fs'
import { edgecoreSettings, mergeSettings, missingSettings } from '../config.js'
import {
  bundleFile,
  importImages,
  waitFor,
  type Context,
  type Step,
  placed
} from '../steps/common.js'
import { edgeSteps } from '../steps/edge.js'
import { backupFiles } from './backup.js'
import { bundleHas, differs, vVersion, type Upgrade } from './context.js'
import { changed } from './plan.js'
import { INSTALL_OPTIONS, INSTALLED_BUNDLE } from './record.js'

const EDGECORE_YAML = '/etc/kubeedge/config/edgecore.yaml'
/**
 * keadm's lock (util/idempotency, KubeEdge v1.22): upgrade, backup and rollback edge create
 * it first and remove it when done, and refuse to run while it exists. A keadm killed half
 * way leaves it behind.
 */
export const KEADM_LOCK = '/etc/kubeedge/idempotency_record'
const CONTAINERD_BINS = ['containerd', 'ctr', 'containerd-shim-runc-v2']

export function ctr(ctx: Context, args: string[]): [string, string[]] {
  return [
    placed(ctx.host, 'ctr'),
    ['--address', ctx.options.containerdAddress, '--namespace', 'k8s.io', ...args]
  ]
}

/** Bundle file -> host path, for every runtime file the bundle carries. */
function runtimeFiles(ctx: Context): Array<[string, string]> {
  const cni = bundleHas(ctx, 'cni/bin') ? readdirSync(bundleFile(ctx, 'cni/bin')).sort() : []
  return [
    ...CONTAINERD_BINS.map((b): [string, string] => [`bin/${b}`, `/usr/local/bin/${b}`]),
    ['bin/runc', '/usr/local/sbin/runc'],
    ...cni.map((p): [string, string] => [`cni/bin/${p}`, `/opt/cni/bin/${p}`])
  ]
}

function backupStep(u: Upgrade): Step {
  const { host } = u.ctx
  const paths = [
    ...runtimeFiles(u.ctx).map(([, to]) => to),
    '/usr/local/bin/keadm',
    '/usr/local/bin/edgecore',
    EDGECORE_YAML,
    INSTALLED_BUNDLE,
    INSTALL_OPTIONS
  ]
  return {
    name: 'upgrade-backup',
    title: `Back up what the upgrade changes into ${u.backup}, then keadm backup edge`,
    inputs: { from: u.installed.bundle.name, paths },
    plan: [
      `copy ${paths.length} files (runtime, keadm, edgecore.yaml, kedge records) to ${u.backup}/files/`,
      `keadm backup edge --config ${EDGECORE_YAML} (edgecore, edgecore.yaml, edgecore.db -> /etc/kubeedge/backup/<version>/)`
    ],
    run: async () => {
      u.ctx.say(`  backed up ${backupFiles(host, u.backup, paths)} files to ${host.path(u.backup)}`)
      if (changed(u.changes, 'kubeedge'))
        await host.run(placed(host, 'keadm'), [
          'backup',
          'edge',
          `--config=${host.path(EDGECORE_YAML)}`
        ])
    }
  }
}

function runtimeStep(u: Upgrade): Step {
  const { host } = u.ctx
  const files = runtimeFiles(u.ctx)
  return {
    name: 'upgrade-runtime',
    title: 'Replace the containerd, runc and CNI files that changed; restart containerd',
    inputs: { to: u.ctx.bundle.name },
    plan: [
      ...files
        .filter(([from, to]) => differs(u.ctx, from, to))
        .map(([f, t]) => `install ${f} -> ${t} (0755)`),
      'systemctl restart containerd (when containerd, its shim or runc changed)'
    ],
    run: async () => {
      const replaced = files.filter(([from, to]) => differs(u.ctx, from, to))
      for (const [from, to] of replaced) host.install(bundleFile(u.ctx, from), to, 0o755)
      u.ctx.say(`  replaced ${replaced.length} runtime files`)
      if (replaced.some(([f]) => f.startsWith('bin/'))) {
        await host.run('systemctl', ['restart', 'containerd'])
        await waitFor(u.ctx, 'containerd to answer', 'see journalctl -u containerd', async () => {
          const [c, a] = ctr(u.ctx, ['version'])
          return (await host.run(c, a, { allowFailure: true })).code === 0
        })
      }
    }
  }
}

function imagesStep(u: Upgrade): Step {
  const { bundle, options } = u.ctx
  return {
    name: 'upgrade-images',
    title: `Import the ${bundle.images.length} images of the new bundle (a delta: only its new layers) and check each is listed`,
    inputs: { images: bundle.images.map(i => `${i.name}@${i.manifestDigest}`) },
    plan: [
      `ctr --address ${options.containerdAddress} -n k8s.io images import --platform linux/${bundle.arch} images/edge-images.tar`
    ],
    run: () =>
      importImages(u.ctx, ctr(u.ctx, ['images', 'import']), ctr(u.ctx, ['images', 'ls', '-q']))
  }
}

function keadmUpgrade(u: Upgrade): Step {
  const { host, bundle } = u.ctx
  const to = vVersion(bundle.versions.kubeedge)
  const args = [
    'upgrade',
    'edge',
    `--toVersion=${to}`,
    `--config=${host.path(EDGECORE_YAML)}`,
    '--force'
  ]
  const image =
    bundle.images.find(i => i.name.endsWith(`kubeedge/installation-package:${to}`))?.name ??
    `docker.io/kubeedge/installation-package:${to}`
  return {
    name: 'keadm-upgrade',
    title: `Upgrade edgecore to ${to} (keadm upgrade edge, from the preloaded ${image})`,
    inputs: { to },
    plan: [`install bin/keadm -> /usr/local/bin/keadm (0755)`, `keadm ${args.join(' ')}`],
    // A keadm upgrade edge killed half way left its lock: no keadm runs now (kedge runs it).
    recover: () => {
      if (host.exists(KEADM_LOCK)) {
        u.ctx.say(`  a keadm upgrade edge was cut short and left ${KEADM_LOCK}: removing it`)
        host.remove(KEADM_LOCK)
      }
      return Promise.resolve()
    },
    run: async () => {
      const listed = (await host.run(...ctr(u.ctx, ['images', 'ls', '-q']))).stdout
      if (!listed.split('\n').some(l => l.trim() === image))
        throw new Error(
          `containerd has no ${image}: keadm upgrade edge would try to pull it, and this host is offline; use a bundle that carries it`
        )
      if (bundleHas(u.ctx, 'bin/keadm'))
        host.install(bundleFile(u.ctx, 'bin/keadm'), '/usr/local/bin/keadm', 0o755)
      await host.run(placed(host, 'keadm'), args, { timeoutMs: 600_000 })
    }
  }
}

/** Reads edgecore.yaml back after the upgrade and repairs the EdgeMesh settings. */
function configStep(u: Upgrade): Step {
  const { host, options } = u.ctx
  const settings = edgecoreSettings(options.cloudIp ?? '')
  return {
    name: 'upgrade-edgecore-config',
    title: 'Read back edgecore.yaml; repair any EdgeMesh setting the upgrade lost',
    inputs: { settings },
    plan: [
      `check ${EDGECORE_YAML} for ${Object.keys(settings).join(', ')}; repair, restart edgecore`
    ],
    run: async () => {
      const missing = await missingSettings(host.read(EDGECORE_YAML), settings)
      if (missing.length === 0) {
        u.ctx.say('  edgecore.yaml kept every EdgeMesh setting')
        return
      }
      u.ctx.say(`  repairing in edgecore.yaml: ${missing.join(', ')}`)
      const fix = Object.fromEntries(missing.map(k => [k, settings[k]]))
      host.write(
        EDGECORE_YAML,
        await mergeSettings(host.read(EDGECORE_YAML), fix, EDGECORE_YAML),
        0o644
      )
      await host.run('systemctl', ['restart', 'edgecore'])
    }
  }
}

export function edgeUpgradeSteps(u: Upgrade): Step[] {
  const wait = edgeSteps(u.ctx).filter(s => s.name === 'wait-edgecore')
  const ke = changed(u.changes, 'kubeedge')
  return [
    backupStep(u),
    runtimeStep(u),
    imagesStep(u),
    ...(ke ? [keadmUpgrade(u), ...wait] : []),
    configStep(u)
  ]
}
