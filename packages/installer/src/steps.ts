/**
 * The install steps, in order, for each side. Each step names its inputs (hashed into the
 * journal) and the exact commands and files it will run and write (for plan).
 */
import { randomBytes } from 'node:crypto'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { BundleInfo } from './bundle.js'
import {
  edgecoreSettings,
  enableDynamicController,
  mergeSettings,
  missingSettings
} from './config.js'
import type { Host } from './host.js'
import type { Options } from './options.js'

export interface Step {
  name: string
  title: string
  /** What the step depends on; a change re-runs it and the steps after it. */
  inputs: unknown
  /** The commands and files, for plan. */
  plan: string[]
  run(): Promise<void>
}

export interface Context {
  host: Host
  bundle: BundleInfo
  options: Options
  say(line: string): void
}

export const KEDGE_DIR = '/var/lib/kedge'

/** kubectl arguments that mark the kubernetes Service for EdgeMesh's proxy. */
const LABEL_KUBERNETES_SERVICE = [
  'label',
  'service',
  'kubernetes',
  '-n',
  'default',
  'service.edgemesh.kubeedge.io/service-proxy-name=',
  '--overwrite'
]

/** kubectl arguments listing the phases of the cloudcore pods (install wait and verify). */
export const CLOUDCORE_PHASES = [
  '-n',
  'kubeedge',
  'get',
  'pods',
  '-l',
  'kubeedge=cloudcore',
  '-o',
  'jsonpath={.items[*].status.phase}'
]

/** The bundle's images that `listed` (ctr images ls -q output) does not hold. */
export function missingImages(listed: string, bundle: BundleInfo): string[] {
  const names = new Set(listed.split('\n').map(l => l.trim()))
  return bundle.images.filter(i => !names.has(i.name)).map(i => i.name)
}
const KUBECONFIG = '/etc/rancher/k3s/k3s.yaml'
const WAIT_SECONDS = Number(process.env.KEDGE_WAIT_SECONDS ?? '300')

/** Polls `probe` once a second until it holds, or fails naming `what` and a hint. */
async function waitFor(what: string, hint: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_SECONDS * 1000
  for (;;) {
    if (await probe()) return
    if (Date.now() > deadline)
      throw new Error(`timed out after ${WAIT_SECONDS} s waiting for ${what}; ${hint}`)
    await new Promise(r => setTimeout(r, 1000))
  }
}

const bundleFile = (ctx: Context, p: string): string => join(ctx.bundle.dir, p)

function ctr(ctx: Context, args: string[]): [string, string[]] {
  return ['ctr', ['--address', ctx.options.containerdAddress, '--namespace', 'k8s.io', ...args]]
}

async function importImages(
  ctx: Context,
  importer: [string, string[]],
  lister: [string, string[]]
): Promise<void> {
  const archive = bundleFile(ctx, `images/${ctx.bundle.side}-images.tar`)
  const mib = (statSync(archive).size / 1048576).toFixed(1)
  ctx.say(
    `  importing ${ctx.bundle.images.length} images (${mib} MiB) into containerd namespace k8s.io`
  )
  await ctx.host.run(importer[0], [
    ...importer[1],
    '--platform',
    `linux/${ctx.bundle.arch}`,
    archive
  ])
  const missing = missingImages((await ctx.host.run(lister[0], lister[1])).stdout, ctx.bundle)
  if (missing.length > 0)
    throw new Error(`after the import, containerd does not list: ${missing.join(', ')}`)
  ctx.say(`  all ${ctx.bundle.images.length} images listed`)
}

const UNIT = `[Unit]
Description=containerd container runtime (installed by kedge)
Documentation=https://containerd.io
After=network.target local-fs.target

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/local/bin/containerd
Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
`

export function containerdConfig(sandboxImage: string, cgroupDriver: string): string {
  const image =
    sandboxImage.includes('/') && !sandboxImage.split('/')[0]?.includes('.')
      ? `docker.io/${sandboxImage}`
      : sandboxImage
  return `# written by kedge: containerd >= 1.6 config, version 2
version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${image}"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = ${cgroupDriver === 'systemd' ? 'true' : 'false'}

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/opt/cni/bin"
  conf_dir = "/etc/cni/net.d"
`
}

export const CNI_CONFLIST = `${JSON.stringify(
  {
    cniVersion: '1.0.0',
    name: 'containerd-net',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: true,
        promiscMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: '10.88.0.0/16' }]],
          routes: [{ dst: '0.0.0.0/0' }]
        }
      },
      { type: 'portmap', capabilities: { portMappings: true } }
    ]
  },
  null,
  2
)}\n`

export function edgeSteps(ctx: Context): Step[] {
  const { host, bundle, options } = ctx
  const cloud = options.cloudIp ?? ''
  const bins = ['containerd', 'ctr', 'containerd-shim-runc-v2']
  const settings = edgecoreSettings(cloud)
  const joinArgs = [
    'join',
    `--kubeedge-version=${bundle.versions.kubeedge}`,
    `--cloudcore-ipport=${cloud}:${options.cloudPort}`,
    `--certport=${options.certPort}`,
    `--token=${options.token ?? ''}`,
    `--edgenode-name=${options.nodeName}`,
    `--remote-runtime-endpoint=unix://${options.containerdAddress}`,
    `--cgroupdriver=${options.cgroupDriver}`,
    ...(options.labels.length ? [`--labels=${options.labels.join(',')}`] : []),
    '--set',
    [
      'modules.metaManager.metaServer.enable=true',
      'modules.edgeStream.enable=true',
      `modules.edgeStream.server=${cloud}:10004`,
      'modules.edged.tailoredKubeletConfig.clusterDNS={169.254.96.16}',
      'modules.edged.tailoredKubeletConfig.clusterDomain=cluster.local'
    ].join(',')
  ]
  return [
    {
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
        for (const b of bins)
          host.install(bundleFile(ctx, `bin/${b}`), `/usr/local/bin/${b}`, 0o755)
        host.install(bundleFile(ctx, 'bin/runc'), '/usr/local/sbin/runc', 0o755)
        host.install(bundleFile(ctx, 'bin/keadm'), '/usr/local/bin/keadm', 0o755)
        for (const plugin of readdirSync(bundleFile(ctx, 'cni/bin')).sort()) {
          host.install(bundleFile(ctx, `cni/bin/${plugin}`), `/opt/cni/bin/${plugin}`, 0o755)
        }
        host.backup('/etc/systemd/system/containerd.service')
        host.write('/etc/systemd/system/containerd.service', UNIT)
        return Promise.resolve()
      }
    },
    {
      name: 'containerd-config',
      title: `Write /etc/containerd/config.toml (sandbox ${bundle.sandboxImage}, SystemdCgroup for ${options.cgroupDriver})`,
      inputs: { sandbox: bundle.sandboxImage, cgroup: options.cgroupDriver },
      plan: [
        'write /etc/containerd/config.toml (backup of an existing one: config.toml.kedge.bak)'
      ],
      run: () => {
        host.backup('/etc/containerd/config.toml')
        host.write(
          '/etc/containerd/config.toml',
          containerdConfig(bundle.sandboxImage, options.cgroupDriver)
        )
        return Promise.resolve()
      }
    },
    {
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
    },
    {
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
        await waitFor('containerd to answer', 'see journalctl -u containerd', async () => {
          const [c, a] = ctr(ctx, ['version'])
          return (await host.run(c, a, { allowFailure: true })).code === 0
        })
      }
    },
    {
      name: 'import-images',
      title: `Import the ${bundle.images.length} images into containerd (k8s.io) and check each is listed`,
      inputs: { images: bundle.images.map(i => `${i.name}@${i.manifestDigest}`) },
      plan: [
        `ctr --address ${options.containerdAddress} -n k8s.io images import --platform linux/${bundle.arch} images/edge-images.tar`,
        `ctr --address ${options.containerdAddress} -n k8s.io images ls -q (each of: ${bundle.images.map(i => i.name).join(', ')})`
      ],
      run: () => importImages(ctx, ctr(ctx, ['images', 'import']), ctr(ctx, ['images', 'ls', '-q']))
    },
    {
      name: 'keadm-join',
      title: `Join CloudCore at ${cloud}:${options.cloudPort} as ${options.nodeName} (keadm join, edgecore settings for EdgeMesh)`,
      inputs: {
        cloud,
        port: options.cloudPort,
        node: options.nodeName,
        token: options.token,
        cgroup: options.cgroupDriver,
        labels: options.labels,
        version: bundle.versions.kubeedge
      },
      plan: [`keadm ${joinArgs.join(' ')}`],
      run: async () => {
        await host.run('keadm', joinArgs, { timeoutMs: 600_000 })
      }
    },
    {
      name: 'wait-edgecore',
      title: 'Wait until edgecore is active and its certificates exist',
      inputs: {},
      plan: [
        'systemctl is-active edgecore',
        'files /etc/kubeedge/ca/rootCA.crt, /etc/kubeedge/certs/server.crt, server.key'
      ],
      run: async () => {
        await waitFor(
          'edgecore to be active with its certificates',
          'see journalctl -u edgecore; check the token and that the cloud answers on 10000 and 10002',
          async () => {
            const active =
              (
                await host.run('systemctl', ['is-active', 'edgecore'], { allowFailure: true })
              ).stdout.trim() === 'active'
            return (
              active &&
              [
                '/etc/kubeedge/ca/rootCA.crt',
                '/etc/kubeedge/certs/server.crt',
                '/etc/kubeedge/certs/server.key'
              ].every(f => host.exists(f))
            )
          }
        )
      }
    },
    {
      name: 'check-edgecore-config',
      title:
        'Read back edgecore.yaml; fix any EdgeMesh setting that did not take (merge edit, backup first)',
      inputs: { settings },
      plan: [
        `check /etc/kubeedge/config/edgecore.yaml for ${Object.keys(settings).join(', ')}`,
        'if any is off: back up, set that key, systemctl restart edgecore'
      ],
      run: async () => {
        const file = '/etc/kubeedge/config/edgecore.yaml'
        const missing = missingSettings(host.read(file), settings)
        if (missing.length === 0) {
          ctx.say('  edgecore.yaml has every setting')
          return
        }
        ctx.say(`  fixing in edgecore.yaml: ${missing.join(', ')}`)
        host.backup(file)
        const fix = Object.fromEntries(missing.map(k => [k, settings[k]]))
        host.write(file, mergeSettings(host.read(file), fix, file), 0o644)
        await host.run('systemctl', ['restart', 'edgecore'])
      }
    }
  ]
}

export function cloudSteps(ctx: Context): Step[] {
  const { host, bundle, options } = ctx
  const kubeconfig = options.kubeconfig ?? host.path(KUBECONFIG)
  const kubectl = (args: string[]): [string, string[]] =>
    options.kubeconfig
      ? ['kubectl', ['--kubeconfig', kubeconfig, ...args]]
      : ['k3s', ['kubectl', ...args]]
  const k = async (args: string[], allowFailure = false) => {
    const [c, a] = kubectl(args)
    return host.run(c, a, { allowFailure })
  }
  const show = (args: string[]) => kubectl(args).flat().join(' ')
  const advertise = options.advertiseAddress.join(',')
  const edgemesh = (options.edgemesh ?? true) && bundle.edgemesh.enabled
  const relays = options.relayNodes.length
    ? options.relayNodes
    : [{ name: options.nodeName, addresses: options.advertiseAddress }]
  const crdFiles = ['crd-destinationrule.yaml', 'crd-gateway.yaml', 'crd-virtualservice.yaml']
  const crdNames = [
    'destinationrules.networking.istio.io',
    'gateways.networking.istio.io',
    'virtualservices.networking.istio.io'
  ]
  const initArgs = [
    'init',
    `--kubeedge-version=${bundle.versions.kubeedge}`,
    `--advertise-address=${advertise}`,
    `--kube-config=${kubeconfig}`,
    '--set',
    'cloudCore.modules.dynamicController.enable=true',
    '--set',
    `mosquitto.enable=${String(bundle.mosquitto.enabled)}`
  ]
  const steps: Step[] = []
  if (!options.kubeconfig) {
    const exec = [
      `--node-name=${options.nodeName}`,
      ...(options.disableTraefik ? ['--disable=traefik'] : [])
    ].join(' ')
    steps.push(
      {
        name: 'install-k3s',
        title: `Install k3s ${bundle.versions.k3s} offline`,
        inputs: { k3s: bundle.versions.k3s, exec },
        plan: [
          'install bin/k3s -> /usr/local/bin/k3s (0755)',
          'install images/cloud-images.tar -> /var/lib/rancher/k3s/agent/images/',
          `INSTALL_K3S_SKIP_DOWNLOAD=true INSTALL_K3S_EXEC="${exec}" sh bin/k3s-install.sh`
        ],
        run: async () => {
          host.install(bundleFile(ctx, 'bin/k3s'), '/usr/local/bin/k3s', 0o755)
          host.install(
            bundleFile(ctx, 'images/cloud-images.tar'),
            '/var/lib/rancher/k3s/agent/images/kedge-cloud-images.tar',
            0o644
          )
          await host.run('sh', [bundleFile(ctx, 'bin/k3s-install.sh')], {
            env: { INSTALL_K3S_SKIP_DOWNLOAD: 'true', INSTALL_K3S_EXEC: exec },
            timeoutMs: 600_000
          })
        }
      },
      {
        name: 'wait-api',
        title: 'Wait until the Kubernetes API is ready',
        inputs: {},
        plan: [show(['get', '--raw', '/readyz'])],
        run: () =>
          waitFor(
            'the Kubernetes API',
            'see journalctl -u k3s',
            async () => (await k(['get', '--raw', '/readyz'], true)).code === 0
          )
      },
      {
        name: 'import-images',
        title: `Import the ${bundle.images.length} images into k3s's containerd (k8s.io) and check each is listed`,
        inputs: { images: bundle.images.map(i => `${i.name}@${i.manifestDigest}`) },
        plan: [
          `k3s ctr -n k8s.io images import --platform linux/${bundle.arch} images/cloud-images.tar`,
          'k3s ctr -n k8s.io images ls -q'
        ],
        run: () =>
          importImages(
            ctx,
            ['k3s', ['ctr', '-n', 'k8s.io', 'images', 'import']],
            ['k3s', ['ctr', '-n', 'k8s.io', 'images', 'ls', '-q']]
          )
      }
    )
  }
  steps.push(
    {
      name: 'namespace',
      title: 'Create the namespace kubeedge',
      inputs: {},
      plan: [show(['create', 'namespace', 'kubeedge']) + ' (unless it exists)'],
      run: async () => {
        if ((await k(['get', 'namespace', 'kubeedge'], true)).code !== 0)
          await k(['create', 'namespace', 'kubeedge'])
      }
    },
    ...(edgemesh
      ? [
          {
            name: 'istio-crds',
            title: 'Apply the Istio CRDs and wait until each is Established',
            inputs: { crds: crdFiles },
            plan: [
              ...crdFiles.map(f => show(['apply', '-f', `crds/istio/${f}`])),
              ...crdNames.map(n =>
                show(['wait', '--for=condition=Established', `crd/${n}`, '--timeout=120s'])
              )
            ],
            run: async () => {
              for (const f of crdFiles) await k(['apply', '-f', bundleFile(ctx, `crds/istio/${f}`)])
              for (const n of crdNames)
                await k(['wait', '--for=condition=Established', `crd/${n}`, '--timeout=120s'])
            }
          },
          {
            name: 'label-kubernetes-service',
            title: 'Label the kubernetes Service for EdgeMesh',
            inputs: {},
            plan: [show(LABEL_KUBERNETES_SERVICE)],
            run: async () => {
              await k(LABEL_KUBERNETES_SERVICE)
            }
          }
        ]
      : []),
    {
      name: 'keadm-init',
      title:
        'Install CloudCore (keadm init, dynamicController on), or turn dynamicController on in an existing one',
      inputs: { version: bundle.versions.kubeedge, advertise, mosquitto: bundle.mosquitto.enabled },
      plan: [
        `keadm ${initArgs.join(' ')}`,
        `if a cloudcore release exists: ${show(['-n', 'kubeedge', 'get', 'configmap', 'cloudcore', '-o', 'yaml'])}, set modules.dynamicController.enable in cloudcore.yaml, replace the ConfigMap, restart cloudcore`,
        show(['-n', 'kubeedge', 'get', 'pods', '-l', 'kubeedge=cloudcore']) + ' (until Running)'
      ],
      run: async () => {
        const existing = await k(
          ['-n', 'kubeedge', 'get', 'configmap', 'cloudcore', '-o', 'yaml'],
          true
        )
        if (existing.code === 0 && existing.stdout.trim()) {
          ctx.say('  cloudcore exists: making sure dynamicController is on')
          const { yaml, changed } = enableDynamicController(existing.stdout)
          if (changed) {
            host.write(`${KEDGE_DIR}/cloudcore-configmap.yaml`, yaml, 0o600)
            await k(['replace', '-f', host.path(`${KEDGE_DIR}/cloudcore-configmap.yaml`)])
            await k(['-n', 'kubeedge', 'rollout', 'restart', 'deployment', 'cloudcore'])
          }
        } else {
          await host.run('keadm', initArgs, { timeoutMs: 600_000 })
        }
        await waitFor(
          'cloudcore to be Running',
          'see kubectl -n kubeedge describe pod -l kubeedge=cloudcore',
          async () => {
            const pods = await k(CLOUDCORE_PHASES, true)
            return pods.stdout.split(/\s+/).includes('Running')
          }
        )
      }
    },
    {
      name: 'edge-token',
      title: 'Get the edge token and write edge-join.txt (0600)',
      inputs: { advertise },
      plan: [
        `keadm gettoken --kube-config=${kubeconfig}`,
        `write ${KEDGE_DIR}/edge-join.txt (0600)`
      ],
      run: async () => {
        const token =
          (
            await host.run('keadm', ['gettoken', `--kube-config=${kubeconfig}`], {
              secretOutput: true
            })
          ).stdout
            .trim()
            .split('\n')
            .pop() ?? ''
        host.addSecret(token)
        const command = `sudo ./install.sh edge --cloudcore-ipport ${options.advertiseAddress[0] ?? ''}:10000 --token ${token} --yes`
        host.write(`${KEDGE_DIR}/edge-join.txt`, `${command}\n`, 0o600)
        ctx.say(
          `  edge join command written to ${host.path(`${KEDGE_DIR}/edge-join.txt`)} (mode 0600):`
        )
        ctx.say(`    ${host.mask(command)}`)
      }
    }
  )
  if (edgemesh) {
    const values = `${KEDGE_DIR}/edgemesh-values.yaml`
    steps.push({
      name: 'edgemesh',
      title: `Install EdgeMesh ${bundle.versions.edgemesh} (PSK in ${KEDGE_DIR}/edgemesh-psk.txt, relays ${relays.map(r => r.name).join(', ')})`,
      inputs: { relays, version: bundle.versions.edgemesh },
      plan: [
        `write ${KEDGE_DIR}/edgemesh-psk.txt (0600; 32 random bytes, base64; kept on re-runs)`,
        `write ${values} (0600: agent.psk, agent.relayNodes, agent.image)`,
        `helm upgrade --install edgemesh charts/edgemesh.tgz -n kubeedge --kubeconfig ${kubeconfig} -f ${values}`,
        show(['-n', 'kubeedge', 'rollout', 'status', 'daemonset/edgemesh-agent', '--timeout=300s'])
      ],
      run: async () => {
        const pskFile = `${KEDGE_DIR}/edgemesh-psk.txt`
        if (!host.exists(pskFile))
          host.write(pskFile, `${randomBytes(32).toString('base64')}\n`, 0o600)
        const psk = host.read(pskFile).trim()
        host.addSecret(psk)
        const yaml = [
          'agent:',
          `  image: kubeedge/edgemesh-agent:${bundle.versions.edgemesh}`,
          `  psk: ${JSON.stringify(psk)}`,
          '  relayNodes:',
          ...relays.flatMap(r => [
            `    - nodeName: ${JSON.stringify(r.name)}`,
            `      advertiseAddress: [${r.addresses.map(a => JSON.stringify(a)).join(', ')}]`
          ]),
          ''
        ].join('\n')
        host.write(values, yaml, 0o600)
        await host.run('helm', [
          'upgrade',
          '--install',
          'edgemesh',
          bundleFile(ctx, 'charts/edgemesh.tgz'),
          '-n',
          'kubeedge',
          '--kubeconfig',
          kubeconfig,
          '-f',
          host.path(values)
        ])
        await k([
          '-n',
          'kubeedge',
          'rollout',
          'status',
          'daemonset/edgemesh-agent',
          '--timeout=300s'
        ])
      }
    })
  }
  return steps
}
