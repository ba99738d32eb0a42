/**
 * The edge install steps, in order: the runtime, its config, containerd, the images,
 * keadm join, then a read-back of edgecore.yaml.
 */
import { readdirSync } from 'node:fs'
import { edgecoreSettings, mergeSettings, missingSettings } from '../config.js'
import {
  bundleFile,
  edgemeshOn,
  importImages,
  placed,
  waitFor,
  type Context,
  type Step
} from './common.js'
import { CNI_CONFLIST, CONTAINERD_UNIT, containerdConfig } from './edge-files.js'

function ctr(ctx: Context, args: string[]): [string, string[]] {
  return [
    placed(ctx.host, 'ctr'),
    ['--address', ctx.options.containerdAddress, '--namespace', 'k8s.io', ...args]
  ]
}

function installRuntime(ctx: Context): Step {
  const { host, bundle } = ctx
  const bins = ['containerd', 'ctr', 'containerd-shim-runc-v2']
  return {
    name: 'install-runtime',
    title: 'Install containerd, the runc shim, runc, CNI plugins, keadm and the containerd unit',
    inputs: { bundle: bundle.name },
    plan: [
      ...bins.map(b => `install bin/${b} -> /usr/local/bin/${b} (0755)`),
      'install bin/runc -> /usr/local/sbin/runc (0755)',
      'install bin/keadm -> /usr/local/bin/keadm (0755)',
      'install cni/bin/* -> /opt/cni/bin/ (0755)',
      'write /etc/systemd/system/containerd.service'
    ],
    run: () => {
      for (const b of bins) host.install(bundleFile(ctx, `bin/${b}`), `/usr/local/bin/${b}`, 0o755)
      host.install(bundleFile(ctx, 'bin/runc'), '/usr/local/sbin/runc', 0o755)
      host.install(bundleFile(ctx, 'bin/keadm'), '/usr/local/bin/keadm', 0o755)
      for (const plugin of readdirSync(bundleFile(ctx, 'cni/bin')).sort()) {
        host.install(bundleFile(ctx, `cni/bin/${plugin}`), `/opt/cni/bin/${plugin}`, 0o755)
      }
      host.backup('/etc/systemd/system/containerd.service')
      host.write('/etc/systemd/system/containerd.service', CONTAINERD_UNIT)
      return Promise.resolve()
    }
  }
}

function containerdConfigStep(ctx: Context): Step {
  const { host, bundle, options } = ctx
  return {
    name: 'containerd-config',
    title: `Write /etc/containerd/config.toml (sandbox ${bundle.sandboxImage}, SystemdCgroup for ${options.cgroupDriver})`,
    inputs: { sandbox: bundle.sandboxImage, cgroup: options.cgroupDriver },
    plan: ['write /etc/containerd/config.toml (backup of an existing one: config.toml.kedge.bak)'],
    run: () => {
      host.backup('/etc/containerd/config.toml')
      host.write(
        '/etc/containerd/config.toml',
        containerdConfig(bundle.sandboxImage, options.cgroupDriver)
      )
      return Promise.resolve()
    }
  }
}

function cniConfig(ctx: Context): Step {
  const { host } = ctx
  return {
    name: 'cni-config',
    title:
      'Write the CNI conflist (bridge cni0, host-local 10.88.0.0/16, portmap): node Ready needs it',
    inputs: { conflist: CNI_CONFLIST },
    plan: ['write /etc/cni/net.d/10-containerd-net.conflist'],
    run: () => {
      host.backup('/etc/cni/net.d/10-containerd-net.conflist')
      host.write('/etc/cni/net.d/10-containerd-net.conflist', CNI_CONFLIST)
      return Promise.resolve()
    }
  }
}

function startContainerd(ctx: Context): Step {
  const { host, options } = ctx
  return {
    name: 'start-containerd',
    title: 'Start containerd',
    inputs: {},
    plan: [
      'systemctl daemon-reload',
      'systemctl enable --now containerd',
      'systemctl restart containerd',
      `ctr --address ${options.containerdAddress} version (until it answers)`
    ],
    run: async () => {
      await host.run('systemctl', ['daemon-reload'])
      await host.run('systemctl', ['enable', '--now', 'containerd'])
      await host.run('systemctl', ['restart', 'containerd'])
      await waitFor(ctx, 'containerd to answer', 'see journalctl -u containerd', async () => {
        const [c, a] = ctr(ctx, ['version'])
        return (await host.run(c, a, { allowFailure: true })).code === 0
      })
    }
  }
}

function importEdgeImages(ctx: Context): Step {
  const { bundle, options } = ctx
  return {
    name: 'import-images',
    title: `Import the ${bundle.images.length} images into containerd (k8s.io) and check each is listed`,
    inputs: { images: bundle.images.map(i => `${i.name}@${i.manifestDigest}`) },
    plan: [
      `ctr --address ${options.containerdAddress} -n k8s.io images import --platform linux/${bundle.arch} images/edge-images.tar`,
      `ctr --address ${options.containerdAddress} -n k8s.io images ls -q (each of: ${bundle.images.map(i => i.name).join(', ')})`
    ],
    run: () => importImages(ctx, ctr(ctx, ['images', 'import']), ctr(ctx, ['images', 'ls', '-q']))
  }
}

/** The cloud's address, or a placeholder (plan without the join flags). */
const cloudIp = (ctx: Context): string => ctx.options.cloudIp ?? '<cloud-ip>'

/** The edgecore settings keadm join gets; clusterDNS 169.254.96.16 only with EdgeMesh. */
function joinSettings(ctx: Context): string {
  const settings = edgecoreSettings(cloudIp(ctx), ctx.options.tunnelPort, edgemeshOn(ctx))
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `{${v.join(',')}}` : String(v)}`)
    .join(',')
}

/** keadm join's arguments, the edgecore settings for EdgeMesh among them. */
export function joinArgs(ctx: Context): string[] {
  const { bundle, options } = ctx
  const cloud = cloudIp(ctx)
  return [
    'join',
    `--kubeedge-version=${bundle.versions.kubeedge}`,
    `--cloudcore-ipport=${cloud}:${options.cloudPort}`,
    `--certport=${options.certPort}`,
    `--token=${options.token ?? '<token>'}`,
    `--edgenode-name=${options.nodeName}`,
    `--remote-runtime-endpoint=unix://${options.containerdAddress}`,
    `--cgroupdriver=${options.cgroupDriver}`,
    ...(options.labels.length ? [`--labels=${options.labels.join(',')}`] : []),
    '--set',
    joinSettings(ctx)
  ]
}

const EDGECORE_BIN = '/usr/local/bin/edgecore'
const EDGECORE_UNIT = '/etc/systemd/system/edgecore.service'

function keadmJoin(ctx: Context): Step {
  const { host, bundle, options } = ctx
  const cloud = cloudIp(ctx)
  const args = joinArgs(ctx)
  return {
    name: 'keadm-join',
    title: `Join CloudCore at ${cloud}:${options.cloudPort} as ${options.nodeName} (keadm join, edgecore settings for EdgeMesh)`,
    inputs: {
      cloud,
      port: options.cloudPort,
      node: options.nodeName,
      token: options.token,
      cgroup: options.cgroupDriver,
      labels: options.labels,
      version: bundle.versions.kubeedge,
      edgemesh: edgemeshOn(ctx)
    },
    plan: [`keadm ${args.join(' ')}`],
    // keadm join writes these (KubeEdge v1.22 keadm: the binary from the installation
    // package, the unit through its systemd helper); keadm reset edge leaves the binary.
    claims: [EDGECORE_BIN, EDGECORE_UNIT],
    // A join cut short (or one with other inputs) leaves edgecore, its unit, certificates
    // and config; keadm join refuses a non-empty /etc/kubeedge, so reset first.
    recover: async () => {
      const left =
        host.exists(EDGECORE_UNIT) ||
        (host.exists('/etc/kubeedge') && readdirSync(host.path('/etc/kubeedge')).length > 0)
      if (!left) return
      ctx.say('  a previous keadm join left edgecore behind: keadm reset edge first')
      await host.run(placed(host, 'keadm'), ['reset', 'edge', '--force'])
    },
    run: async () => {
      await host.run(placed(host, 'keadm'), args, { timeoutMs: 600_000 })
    }
  }
}

const EDGE_CERTS = [
  '/etc/kubeedge/ca/rootCA.crt',
  '/etc/kubeedge/certs/server.crt',
  '/etc/kubeedge/certs/server.key'
]

function waitEdgecore(ctx: Context): Step {
  const { host } = ctx
  return {
    name: 'wait-edgecore',
    title: 'Wait until edgecore is active and its certificates exist',
    inputs: {},
    plan: [
      'systemctl is-active edgecore',
      'files /etc/kubeedge/ca/rootCA.crt, /etc/kubeedge/certs/server.crt, server.key'
    ],
    run: () =>
      waitFor(
        ctx,
        'edgecore to be active with its certificates',
        'see journalctl -u edgecore; check the token and that the cloud answers on 10000 and 10002',
        async () => {
          const state = await host.run('systemctl', ['is-active', 'edgecore'], {
            allowFailure: true
          })
          return state.stdout.trim() === 'active' && EDGE_CERTS.every(f => host.exists(f))
        }
      )
  }
}

function checkEdgecoreConfig(ctx: Context): Step {
  const { host, options } = ctx
  const settings = edgecoreSettings(cloudIp(ctx), options.tunnelPort, edgemeshOn(ctx))
  return {
    name: 'check-edgecore-config',
    title: `Read back edgecore.yaml; fix any setting that did not take (merge edit, backup first)${edgemeshOn(ctx) ? '' : '; no EdgeMesh: no clusterDNS'}`,
    inputs: { settings },
    plan: [
      `check /etc/kubeedge/config/edgecore.yaml for ${Object.keys(settings).join(', ')}`,
      'if any is off: back up, set that key, systemctl restart edgecore'
    ],
    run: async () => {
      const file = '/etc/kubeedge/config/edgecore.yaml'
      const missing = await missingSettings(host.read(file), settings)
      if (missing.length === 0) {
        ctx.say('  edgecore.yaml has every setting')
        return
      }
      ctx.say(`  fixing in edgecore.yaml: ${missing.join(', ')}`)
      host.backup(file)
      const fix = Object.fromEntries(missing.map(k => [k, settings[k]]))
      host.write(file, await mergeSettings(host.read(file), fix, file), 0o644)
      await host.run('systemctl', ['restart', 'edgecore'])
    }
  }
}

export function edgeSteps(ctx: Context): Step[] {
  return [
    installRuntime(ctx),
    containerdConfigStep(ctx),
    cniConfig(ctx),
    startContainerd(ctx),
    importEdgeImages(ctx),
    keadmJoin(ctx),
    waitEdgecore(ctx),
    checkEdgecoreConfig(ctx)
  ]
}
