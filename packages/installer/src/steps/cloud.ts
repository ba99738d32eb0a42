/**
 * The cloud install steps, in order: k3s (unless --kubeconfig), the namespace, the Istio
 * CRDs and the Service label for EdgeMesh, CloudCore, the edge token, EdgeMesh.
 */
import { randomBytes } from 'node:crypto'
import { enableDynamicController } from '../config.js'
import {
  bundleFile,
  CLOUDCORE_PHASES,
  importImages,
  KEDGE_DIR,
  waitFor,
  type Context,
  type Step
} from './common.js'

const KUBECONFIG = '/etc/rancher/k3s/k3s.yaml'

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

const CRD_FILES = ['crd-destinationrule.yaml', 'crd-gateway.yaml', 'crd-virtualservice.yaml']
const CRD_NAMES = [
  'destinationrules.networking.istio.io',
  'gateways.networking.istio.io',
  'virtualservices.networking.istio.io'
]

/** What the cloud steps share: the kubeconfig and how to run kubectl against it. */
interface Cloud {
  ctx: Context
  kubeconfig: string
  kubectl(args: string[]): [string, string[]]
  k(args: string[], allowFailure?: boolean): ReturnType<Context['host']['run']>
  show(args: string[]): string
}

function cloud(ctx: Context): Cloud {
  const { host, options } = ctx
  const kubeconfig = options.kubeconfig ?? host.path(KUBECONFIG)
  const kubectl = (args: string[]): [string, string[]] =>
    options.kubeconfig
      ? ['kubectl', ['--kubeconfig', kubeconfig, ...args]]
      : ['k3s', ['kubectl', ...args]]
  return {
    ctx,
    kubeconfig,
    kubectl,
    k: (args, allowFailure = false) => {
      const [c, a] = kubectl(args)
      return host.run(c, a, { allowFailure })
    },
    show: args => kubectl(args).flat().join(' ')
  }
}

/** Whether this cloud install includes EdgeMesh. */
export function edgemeshOn(ctx: Context): boolean {
  return (ctx.options.edgemesh ?? true) && ctx.bundle.edgemesh.enabled
}

function installK3s(c: Cloud): Step {
  const { host, bundle, options } = c.ctx
  const exec = [
    `--node-name=${options.nodeName}`,
    ...(options.disableTraefik ? ['--disable=traefik'] : [])
  ].join(' ')
  return {
    name: 'install-k3s',
    title: `Install k3s ${bundle.versions.k3s} offline`,
    inputs: { k3s: bundle.versions.k3s, exec },
    plan: [
      'install bin/k3s -> /usr/local/bin/k3s (0755)',
      'install images/cloud-images.tar -> /var/lib/rancher/k3s/agent/images/',
      `INSTALL_K3S_SKIP_DOWNLOAD=true INSTALL_K3S_EXEC="${exec}" sh bin/k3s-install.sh`
    ],
    run: async () => {
      host.install(bundleFile(c.ctx, 'bin/k3s'), '/usr/local/bin/k3s', 0o755)
      host.install(
        bundleFile(c.ctx, 'images/cloud-images.tar'),
        '/var/lib/rancher/k3s/agent/images/kedge-cloud-images.tar',
        0o644
      )
      await host.run('sh', [bundleFile(c.ctx, 'bin/k3s-install.sh')], {
        env: { INSTALL_K3S_SKIP_DOWNLOAD: 'true', INSTALL_K3S_EXEC: exec },
        timeoutMs: 600_000
      })
    }
  }
}

function waitApi(c: Cloud): Step {
  return {
    name: 'wait-api',
    title: 'Wait until the Kubernetes API is ready',
    inputs: {},
    plan: [c.show(['get', '--raw', '/readyz'])],
    run: () =>
      waitFor(
        'the Kubernetes API',
        'see journalctl -u k3s',
        async () => (await c.k(['get', '--raw', '/readyz'], true)).code === 0
      )
  }
}

function importCloudImages(c: Cloud): Step {
  const { bundle } = c.ctx
  return {
    name: 'import-images',
    title: `Import the ${bundle.images.length} images into k3s's containerd (k8s.io) and check each is listed`,
    inputs: { images: bundle.images.map(i => `${i.name}@${i.manifestDigest}`) },
    plan: [
      `k3s ctr -n k8s.io images import --platform linux/${bundle.arch} images/cloud-images.tar`,
      'k3s ctr -n k8s.io images ls -q'
    ],
    run: () =>
      importImages(
        c.ctx,
        ['k3s', ['ctr', '-n', 'k8s.io', 'images', 'import']],
        ['k3s', ['ctr', '-n', 'k8s.io', 'images', 'ls', '-q']]
      )
  }
}

function namespace(c: Cloud): Step {
  return {
    name: 'namespace',
    title: 'Create the namespace kubeedge',
    inputs: {},
    plan: [c.show(['create', 'namespace', 'kubeedge']) + ' (unless it exists)'],
    run: async () => {
      if ((await c.k(['get', 'namespace', 'kubeedge'], true)).code !== 0)
        await c.k(['create', 'namespace', 'kubeedge'])
    }
  }
}

function istioCrds(c: Cloud): Step {
  return {
    name: 'istio-crds',
    title: 'Apply the Istio CRDs and wait until each is Established',
    inputs: { crds: CRD_FILES },
    plan: [
      ...CRD_FILES.map(f => c.show(['apply', '-f', `crds/istio/${f}`])),
      ...CRD_NAMES.map(n =>
        c.show(['wait', '--for=condition=Established', `crd/${n}`, '--timeout=120s'])
      )
    ],
    run: async () => {
      for (const f of CRD_FILES) await c.k(['apply', '-f', bundleFile(c.ctx, `crds/istio/${f}`)])
      for (const n of CRD_NAMES)
        await c.k(['wait', '--for=condition=Established', `crd/${n}`, '--timeout=120s'])
    }
  }
}

function labelKubernetesService(c: Cloud): Step {
  return {
    name: 'label-kubernetes-service',
    title: 'Label the kubernetes Service for EdgeMesh',
    inputs: {},
    plan: [c.show(LABEL_KUBERNETES_SERVICE)],
    run: async () => {
      await c.k(LABEL_KUBERNETES_SERVICE)
    }
  }
}

function initArgs(c: Cloud): string[] {
  const { bundle, options } = c.ctx
  return [
    'init',
    `--kubeedge-version=${bundle.versions.kubeedge}`,
    `--advertise-address=${options.advertiseAddress.join(',')}`,
    `--kube-config=${c.kubeconfig}`,
    '--set',
    'cloudCore.modules.dynamicController.enable=true',
    '--set',
    `mosquitto.enable=${String(bundle.mosquitto.enabled)}`
  ]
}

/** An existing cloudcore: turn dynamicController on in its ConfigMap, keep the rest. */
async function enableInExisting(c: Cloud, configMap: string): Promise<void> {
  const { host } = c.ctx
  c.ctx.say('  cloudcore exists: making sure dynamicController is on')
  const { yaml, changed } = enableDynamicController(configMap)
  if (!changed) return
  host.write(`${KEDGE_DIR}/cloudcore-configmap.yaml`, yaml, 0o600)
  await c.k(['replace', '-f', host.path(`${KEDGE_DIR}/cloudcore-configmap.yaml`)])
  await c.k(['-n', 'kubeedge', 'rollout', 'restart', 'deployment', 'cloudcore'])
}

/** Written before keadm init runs: the release it makes is kedge's to reset after a crash. */
const INIT_MARK = `${KEDGE_DIR}/keadm-init.started`

function keadmInit(c: Cloud): Step {
  const { host, bundle, options } = c.ctx
  const args = initArgs(c)
  const getConfigMap = ['-n', 'kubeedge', 'get', 'configmap', 'cloudcore', '-o', 'yaml']
  return {
    name: 'keadm-init',
    title:
      'Install CloudCore (keadm init, dynamicController on), or turn dynamicController on in an existing one',
    inputs: {
      version: bundle.versions.kubeedge,
      advertise: options.advertiseAddress.join(','),
      mosquitto: bundle.mosquitto.enabled
    },
    plan: [
      `keadm ${args.join(' ')}`,
      `if a cloudcore release exists: ${c.show(getConfigMap)}, set modules.dynamicController.enable in cloudcore.yaml, replace the ConfigMap, restart cloudcore`,
      c.show(['-n', 'kubeedge', 'get', 'pods', '-l', 'kubeedge=cloudcore']) + ' (until Running)'
    ],
    // A crash inside keadm init leaves a half-installed cloudcore release: reset it first.
    recover: async cutShort => {
      if (!cutShort || !host.exists(INIT_MARK)) return
      c.ctx.say('  keadm init was cut short: keadm reset cloud before trying again')
      await host.run('keadm', ['reset', 'cloud', '--force', `--kube-config=${c.kubeconfig}`])
    },
    run: async () => {
      const existing = await c.k(getConfigMap, true)
      if (existing.code === 0 && existing.stdout.trim()) await enableInExisting(c, existing.stdout)
      else {
        host.write(INIT_MARK, `keadm init started ${new Date().toISOString()}\n`, 0o600)
        await host.run('keadm', args, { timeoutMs: 600_000 })
      }
      await waitFor(
        'cloudcore to be Running',
        'see kubectl -n kubeedge describe pod -l kubeedge=cloudcore',
        async () => (await c.k(CLOUDCORE_PHASES, true)).stdout.split(/\s+/).includes('Running')
      )
    }
  }
}

function edgeToken(c: Cloud): Step {
  const { host, options } = c.ctx
  return {
    name: 'edge-token',
    title: 'Get the edge token and write edge-join.txt (0600)',
    inputs: { advertise: options.advertiseAddress.join(',') },
    plan: [
      `keadm gettoken --kube-config=${c.kubeconfig}`,
      `write ${KEDGE_DIR}/edge-join.txt (0600)`
    ],
    run: async () => {
      const out = await host.run('keadm', ['gettoken', `--kube-config=${c.kubeconfig}`], {
        secretOutput: true
      })
      const token = out.stdout.trim().split('\n').pop() ?? ''
      host.addSecret(token)
      const command = `sudo ./install.sh edge --cloudcore-ipport ${options.advertiseAddress[0] ?? ''}:10000 --token ${token} --yes`
      host.write(`${KEDGE_DIR}/edge-join.txt`, `${command}\n`, 0o600)
      c.ctx.say(
        `  edge join command written to ${host.path(`${KEDGE_DIR}/edge-join.txt`)} (mode 0600):`
      )
      c.ctx.say(`    ${host.mask(command)}`)
    }
  }
}

/** EdgeMesh's Helm values: the agent image, the PSK and the relay nodes. */
function edgemeshValues(c: Cloud, psk: string): string {
  const { bundle, options } = c.ctx
  const relays = options.relayNodes.length
    ? options.relayNodes
    : [{ name: options.nodeName, addresses: options.advertiseAddress }]
  return [
    'agent:',
    `  image: ${JSON.stringify(`kubeedge/edgemesh-agent:${bundle.versions.edgemesh}`)}`,
    `  psk: ${JSON.stringify(psk)}`,
    '  relayNodes:',
    ...relays.flatMap(r => [
      `    - nodeName: ${JSON.stringify(r.name)}`,
      `      advertiseAddress: [${r.addresses.map(a => JSON.stringify(a)).join(', ')}]`
    ]),
    ''
  ].join('\n')
}

function edgemesh(c: Cloud): Step {
  const { host, bundle, options } = c.ctx
  const values = `${KEDGE_DIR}/edgemesh-values.yaml`
  const pskFile = `${KEDGE_DIR}/edgemesh-psk.txt`
  const relays = options.relayNodes.length
    ? options.relayNodes
    : [{ name: options.nodeName, addresses: options.advertiseAddress }]
  const rollout = ['-n', 'kubeedge', 'rollout', 'status', 'daemonset/edgemesh-agent']
  return {
    name: 'edgemesh',
    title: `Install EdgeMesh ${bundle.versions.edgemesh} (PSK in ${pskFile}, relays ${relays.map(r => r.name).join(', ')})`,
    inputs: { relays, version: bundle.versions.edgemesh },
    plan: [
      `write ${pskFile} (0600; 32 random bytes, base64; kept on re-runs)`,
      `write ${values} (0600: agent.psk, agent.relayNodes, agent.image)`,
      `helm upgrade --install edgemesh charts/edgemesh.tgz -n kubeedge --kubeconfig ${c.kubeconfig} -f ${values}`,
      c.show([...rollout, '--timeout=300s'])
    ],
    run: async () => {
      if (!host.exists(pskFile))
        host.write(pskFile, `${randomBytes(32).toString('base64')}\n`, 0o600)
      const psk = host.read(pskFile).trim()
      host.addSecret(psk)
      host.write(values, edgemeshValues(c, psk), 0o600)
      const chart = bundleFile(c.ctx, 'charts/edgemesh.tgz')
      await host.run('helm', [
        ...['upgrade', '--install', 'edgemesh', chart, '-n', 'kubeedge'],
        ...['--kubeconfig', c.kubeconfig, '-f', host.path(values)]
      ])
      await c.k([...rollout, '--timeout=300s'])
    }
  }
}

export function cloudSteps(ctx: Context): Step[] {
  const c = cloud(ctx)
  const on = edgemeshOn(ctx)
  return [
    ...(ctx.options.kubeconfig ? [] : [installK3s(c), waitApi(c), importCloudImages(c)]),
    namespace(c),
    ...(on ? [istioCrds(c), labelKubernetesService(c)] : []),
    keadmInit(c),
    edgeToken(c),
    ...(on ? [edgemesh(c)] : [])
  ]
}
