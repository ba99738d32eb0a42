/**
 * The cloud install steps, in order: k3s (unless --kubeconfig), the namespace, the Istio
 * CRDs and the Service label for EdgeMesh, CloudCore, the edge token, EdgeMesh.
 */
import { randomBytes } from 'node:crypto'
import { enableDynamicController } from '../config.js'
import type { Host } from '../host.js'
import { formatJoinFile, JOIN_FILE, rfc3339, TOKEN, tokenExpiry } from '../joinfile.js'
import {
  bundleFile,
  CLOUDCORE_PHASES,
  importImages,
  edgemeshOn,
  KEDGE_DIR,
  placed,
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
      : [placed(host, 'k3s'), ['kubectl', ...args]]
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

function installTools(c: Cloud): Step {
  const { host, bundle } = c.ctx
  return {
    name: 'install-tools',
    title: `Install keadm ${bundle.versions.kubeedge} and helm to /usr/local/bin`,
    inputs: { bundle: bundle.name },
    plan: [
      'install bin/keadm -> /usr/local/bin/keadm (0755)',
      'install bin/helm -> /usr/local/bin/helm (0755)'
    ],
    run: () => {
      for (const tool of ['keadm', 'helm'])
        host.install(bundleFile(c.ctx, `bin/${tool}`), `/usr/local/bin/${tool}`, 0o755)
      return Promise.resolve()
    }
  }
}

/** k3s's air-gap docs: a dummy interface with a default route, for a host without one. */
export const DUMMY_ROUTE = [
  ['link', 'add', 'dummy0', 'type', 'dummy'],
  ['link', 'set', 'dummy0', 'up'],
  ['addr', 'add', '203.0.113.254/31', 'dev', 'dummy0'],
  ['route', 'add', 'default', 'via', '203.0.113.255', 'dev', 'dummy0', 'metric', '1000']
]

/** Whether the host has an IPv4 default route (ip -4 route show default). */
export async function hasDefaultRoute(host: Host): Promise<boolean> {
  const out = await host.run('ip', ['-4', 'route', 'show', 'default'], { allowFailure: true })
  return out.code === 0 && out.stdout.trim() !== ''
}

function defaultRouteStep(c: Cloud): Step {
  const { host } = c.ctx
  return {
    name: 'default-route',
    title: 'Add a dummy default route if the host has none (--add-default-route; k3s needs one)',
    inputs: { route: DUMMY_ROUTE },
    plan: ['ip -4 route show default', ...DUMMY_ROUTE.map(args => `if none: ip ${args.join(' ')}`)],
    run: async () => {
      if (await hasDefaultRoute(host)) {
        c.ctx.say('  the host has a default route: nothing to add')
        return
      }
      for (const args of DUMMY_ROUTE) await host.run('ip', args)
      c.ctx.say(
        '  added dummy0 with a default route (not persistent: add it to the network config)'
      )
    }
  }
}

/** servicelb: --keep-servicelb, else the bundle's k3s.servicelb, else off. */
export function servicelbOn(ctx: Context): boolean {
  return ctx.options.servicelb ?? ctx.bundle.k3s?.servicelb ?? false
}

function installK3s(c: Cloud): Step {
  const { host, bundle, options } = c.ctx
  const exec = [
    `--node-name=${options.nodeName}`,
    ...(options.disableTraefik ? ['--disable=traefik'] : []),
    // servicelb's svclb DaemonSet tolerates only control-plane taints, so it lands on every
    // edge node (klipper-lb, hostPorts 80/443) unless it is off.
    ...(servicelbOn(c.ctx) ? [] : ['--disable=servicelb'])
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
        env: {
          INSTALL_K3S_SKIP_DOWNLOAD: 'true',
          INSTALL_K3S_EXEC: exec,
          // Upstream's own knobs, so that --root holds what the script writes.
          INSTALL_K3S_BIN_DIR: host.path('/usr/local/bin'),
          INSTALL_K3S_SYSTEMD_DIR: host.path('/etc/systemd/system')
        },
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
        c.ctx,
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
        [placed(c.ctx.host, 'k3s'), ['ctr', '-n', 'k8s.io', 'images', 'import']],
        [placed(c.ctx.host, 'k3s'), ['ctr', '-n', 'k8s.io', 'images', 'ls', '-q']]
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

/** The chart values keadm init sets: dynamicController, mosquitto and its image, components. */
function chartSets(bundle: Context['bundle']): string[] {
  const sets = ['cloudCore.modules.dynamicController.enable=true']
  sets.push(`mosquitto.enable=${String(bundle.mosquitto.enabled)}`)
  if (bundle.mosquitto.enabled) {
    const { repository, tag } = bundle.mosquitto
    sets.push(`mosquitto.image.repository=${repository},mosquitto.image.tag=${tag}`)
  }
  if (bundle.cloudcore?.controllerManager === true) sets.push('controllerManager.enable=true')
  if (bundle.cloudcore?.admission === true) sets.push('admission.enable=true')
  return sets.flatMap(set => ['--set', set])
}

function initArgs(c: Cloud): string[] {
  const { bundle, options } = c.ctx
  return [
    'init',
    `--kubeedge-version=${bundle.versions.kubeedge}`,
    `--advertise-address=${options.advertiseAddress.join(',')}`,
    `--kube-config=${c.kubeconfig}`,
    ...chartSets(bundle)
  ]
}

/**
 * keadm init waits only 60 s for its Helm release; on a slow host it gives up while the
 * release still comes up. Its failure is noted, and the wait for cloudcore decides.
 */
async function runInit(c: Cloud, args: string[]): Promise<string | undefined> {
  const { host } = c.ctx
  const init = await host.run(placed(host, 'keadm'), args, {
    timeoutMs: 600_000,
    allowFailure: true
  })
  if (init.code === 0) return undefined
  const why = host.mask((init.stderr || init.stdout).trim().split('\n').slice(-3).join(' '))
  c.ctx.say(
    `  keadm init exited ${init.code} (it waits only 60 s for its Helm release): ${why}; waiting for cloudcore to decide`
  )
  return `keadm init exited ${init.code}: ${why}`
}

/** An existing cloudcore: turn dynamicController on in its ConfigMap, keep the rest. */
async function enableInExisting(c: Cloud, configMap: string): Promise<void> {
  const { host } = c.ctx
  c.ctx.say('  cloudcore exists: making sure dynamicController is on')
  const { yaml, changed } = await enableDynamicController(configMap)
  if (!changed) return
  host.write(`${KEDGE_DIR}/cloudcore-configmap.yaml`, yaml, 0o600)
  await c.k(['replace', '-f', host.path(`${KEDGE_DIR}/cloudcore-configmap.yaml`)])
  await c.k(['-n', 'kubeedge', 'rollout', 'restart', 'deployment', 'cloudcore'])
}

/** Written before keadm init runs: the release it makes is kedge's to reset after a crash. */
const INIT_MARK = `${KEDGE_DIR}/keadm-init.started`

/** After a crash inside keadm init: its half-made cloudcore release is reset first. */
async function resetCutShortInit(c: Cloud, cutShort: boolean): Promise<void> {
  const { host } = c.ctx
  if (!cutShort || !host.exists(INIT_MARK)) return
  c.ctx.say('  keadm init was cut short: keadm reset cloud before trying again')
  await host.run(placed(host, 'keadm'), [
    'reset',
    'cloud',
    '--force',
    `--kube-config=${c.kubeconfig}`
  ])
}

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
      mosquitto: bundle.mosquitto.enabled,
      sets: chartSets(bundle)
    },
    plan: [
      `keadm ${args.join(' ')}`,
      `if a cloudcore release exists: ${c.show(getConfigMap)}, set modules.dynamicController.enable in cloudcore.yaml, replace the ConfigMap, restart cloudcore`,
      c.show(['-n', 'kubeedge', 'get', 'pods', '-l', 'kubeedge=cloudcore']) + ' (until Running)'
    ],
    recover: cutShort => resetCutShortInit(c, cutShort),
    run: async () => {
      const existing = await c.k(getConfigMap, true)
      let initFailure: string | undefined
      if (existing.code === 0 && existing.stdout.trim()) await enableInExisting(c, existing.stdout)
      else {
        host.write(INIT_MARK, `keadm init started ${new Date().toISOString()}\n`, 0o600)
        initFailure = await runInit(c, args)
      }
      await waitFor(
        c.ctx,
        'cloudcore to be Running',
        `${initFailure ? `${initFailure}; ` : ''}see kubectl -n kubeedge describe pod -l kubeedge=cloudcore`,
        async () => (await c.k(CLOUDCORE_PHASES, true)).stdout.split(/\s+/).includes('Running')
      )
    }
  }
}

/**
 * Mints a token (keadm gettoken) and writes the join file atomically (0600) with the
 * CloudCore address and the EdgeMesh choice. Returns the file's host path and the expiry.
 */
export async function writeJoinFile(
  ctx: Context,
  kubeconfig: string,
  cloudcoreIpport: string,
  edgemesh: boolean
): Promise<{ joinFile: string; expires: string | undefined }> {
  const { host } = ctx
  const out = await host.run(placed(host, 'keadm'), ['gettoken', `--kube-config=${kubeconfig}`], {
    secretOutput: true
  })
  const token = out.stdout.trim().split('\n').pop() ?? ''
  host.addSecret(token)
  if (!TOKEN.test(token))
    throw new Error(
      'keadm gettoken did not print a token (<64 hex>.<JWT>); is cloudcore running? see kubectl -n kubeedge get secret tokensecret'
    )
  host.write(JOIN_FILE, formatJoinFile({ cloudcoreIpport, token, edgemesh }), 0o600)
  const exp = tokenExpiry(token)
  return { joinFile: host.path(JOIN_FILE), expires: exp ? rfc3339(exp) : undefined }
}

/** The lines that tell the operator how to hand the join file to an edge. */
export function handoffLines(joinFile: string, expires: string | undefined): string[] {
  return [
    `  join file: ${joinFile} (mode 0600; the token expires ${expires ?? 'at an unknown time'})`,
    '  copy it to each edge host (it holds a secret), then run there, in the edge bundle:',
    '    sudo ./install.sh edge --join-file edge-join.txt --yes',
    '  a day later? mint a fresh token here first: sudo ./install.sh token'
  ]
}

function edgeToken(c: Cloud): Step {
  const { options } = c.ctx
  const cloudcore = `${options.advertiseAddress[0] ?? ''}:10000`
  return {
    name: 'edge-token',
    title: `Get the edge token and write the join file ${JOIN_FILE} (0600)`,
    inputs: { advertise: options.advertiseAddress.join(','), edgemesh: edgemeshOn(c.ctx) },
    plan: [
      `keadm gettoken --kube-config=${c.kubeconfig}`,
      `write ${JOIN_FILE} (0600: cloudcore-ipport=${cloudcore}, token, edgemesh=${String(edgemeshOn(c.ctx))}, expires)`
    ],
    run: async () => {
      const { joinFile, expires } = await writeJoinFile(
        c.ctx,
        c.kubeconfig,
        cloudcore,
        edgemeshOn(c.ctx)
      )
      for (const line of handoffLines(joinFile, expires)) c.ctx.say(line)
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
      await host.run(placed(host, 'helm'), [
        ...['upgrade', '--install', 'edgemesh', chart, '-n', 'kubeedge'],
        ...['--kubeconfig', c.kubeconfig, '-f', host.path(values)]
      ])
      await c.k([...rollout, '--timeout=300s'])
    }
  }
}

/** The kubeconfig the cloud steps use: --kubeconfig, or k3s's. */
export function cloudKubeconfig(ctx: Context): string {
  return cloud(ctx).kubeconfig
}

export function cloudSteps(ctx: Context): Step[] {
  const c = cloud(ctx)
  const on = edgemeshOn(ctx)
  return [
    installTools(c),
    ...(ctx.options.addDefaultRoute && !ctx.options.kubeconfig ? [defaultRouteStep(c)] : []),
    ...(ctx.options.kubeconfig ? [] : [installK3s(c), waitApi(c), importCloudImages(c)]),
    namespace(c),
    ...(on ? [istioCrds(c), labelKubernetesService(c)] : []),
    keadmInit(c),
    edgeToken(c),
    ...(on ? [edgemesh(c)] : [])
  ]
}
