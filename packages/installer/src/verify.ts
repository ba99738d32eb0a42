/** verify: the operators' checklist, PASS/FAIL per check, with a hint for each failure. */
import type { BundleInfo } from './bundle.js'
import { getPath, yamlLib } from './config.js'
import type { Host } from './host.js'
import type { Options } from './options.js'
import { loadState } from './journal.js'
import { JOIN_FILE, parseJoinFile, rfc3339, timeLeft, tokenExpiry } from './joinfile.js'
import { CLOUDCORE_PHASES, missingImages, placed } from './steps/index.js'
import { upgradedChecks } from './upgrade/versions.js'

export interface Check {
  name: string
  ok: boolean
  detail: string
  hint: string
}

/** node:http is loaded here, when verify needs it, not at every start (plan). */
async function httpOk(url: string): Promise<boolean> {
  const { request } = await import('node:http')
  return new Promise(resolve => {
    const req = request(url, { timeout: 3000 }, res => {
      res.resume()
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300)
    })
    req.on('error', () => {
      resolve(false)
    })
    req.on('timeout', () => {
      req.destroy()
      resolve(false)
    })
    req.end()
  })
}

/** Collects checks; a probe that throws is a FAIL with its message. */
class Checklist {
  readonly checks: Check[] = []
  constructor(readonly host: Host) {}

  async check(
    name: string,
    hint: string,
    probe: () => Promise<[boolean, string]> | [boolean, string]
  ): Promise<void> {
    try {
      const [ok, detail] = await probe()
      this.checks.push({ name, ok, detail, hint })
    } catch (err) {
      this.checks.push({ name, ok: false, detail: this.host.mask((err as Error).message), hint })
    }
  }

  run(command: string, args: string[]) {
    return this.host.run(command, args, { allowFailure: true })
  }

  serviceActive(unit: string, hint: string): Promise<void> {
    return this.check(`${unit} active`, hint, async () => {
      const out = (await this.run('systemctl', ['is-active', unit])).stdout.trim()
      return [out === 'active', out || 'no answer']
    })
  }
}

async function edgeRuntime(list: Checklist, bundle: BundleInfo, options: Options): Promise<void> {
  const ctrArgs = ['--address', options.containerdAddress, '--namespace', 'k8s.io']
  await list.serviceActive('containerd', 'systemctl status containerd; journalctl -u containerd')
  await list.check(
    'every bundled image present',
    're-run the installer (import-images), or ctr -n k8s.io images import images/edge-images.tar',
    async () => {
      const missing = missingImages(
        (await list.run(placed(list.host, 'ctr'), [...ctrArgs, 'images', 'ls', '-q'])).stdout,
        bundle
      )
      return [
        missing.length === 0,
        missing.length ? `missing: ${missing.join(', ')}` : `${bundle.images.length} images`
      ]
    }
  )
}

async function edgeChecks(list: Checklist): Promise<void> {
  await list.serviceActive(
    'edgecore',
    'journalctl -u edgecore; check the token and that the cloud answers on 10000 and 10002'
  )
  await list.check(
    'metaServer answers 127.0.0.1:10550/api/v1/services',
    'modules.metaManager.metaServer.enable must be true in edgecore.yaml; restart edgecore',
    async () => {
      const url = `${process.env.KEDGE_METASERVER ?? 'http://127.0.0.1:10550'}/api/v1/services`
      const ok = await httpOk(url)
      return [ok, ok ? 'answering' : `no answer from ${url}`]
    }
  )
}

/** EdgeMesh on the edge: its interface and edgecore's DNS. */
async function edgeMeshChecks(list: Checklist, host: Host): Promise<void> {
  await list.check(
    'edgemesh0 holds 169.254.96.16',
    'kubectl -n kubeedge get pods -l k8s-app=kubeedge,kubeedge=edgemesh-agent -o wide on the cloud; the agent must run on this node',
    async () => {
      const out = (await list.run('ip', ['-4', 'addr', 'show', 'edgemesh0'])).stdout
      return [
        out.includes('169.254.96.16'),
        out.includes('169.254.96.16') ? 'present' : 'edgemesh0 has no 169.254.96.16'
      ]
    }
  )
  await list.check(
    'clusterDNS is 169.254.96.16',
    'run the installer again (check-edgecore-config fixes it)',
    async () => {
      const doc = (await yamlLib()).load(host.read('/etc/kubeedge/config/edgecore.yaml'))
      const dns = getPath(doc, 'modules.edged.tailoredKubeletConfig.clusterDNS')
      return [Array.isArray(dns) && dns.includes('169.254.96.16'), JSON.stringify(dns ?? null)]
    }
  )
}

type Kubectl = (args: string[]) => ReturnType<Host['run']>

const NODE_READY =
  'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}'

async function clusterChecks(list: Checklist, kubectl: Kubectl): Promise<void> {
  await list.check('k3s node Ready', 'journalctl -u k3s; kubectl describe node', async () => {
    const out = (await kubectl(['get', 'nodes', '-o', NODE_READY])).stdout.trim()
    const notReady = out.split(/\s+/).filter(n => n && !n.endsWith('=True'))
    return [out !== '' && notReady.length === 0, out || 'no nodes']
  })
  await list.check(
    'dynamicController enabled',
    're-run the installer (keadm-init turns it on in the ConfigMap)',
    async () => {
      const { load } = await yamlLib()
      const cm = (await kubectl(['-n', 'kubeedge', 'get', 'configmap', 'cloudcore', '-o', 'yaml']))
        .stdout
      const inner =
        (load(cm) as { data?: Record<string, string> } | null)?.data?.['cloudcore.yaml'] ?? ''
      const on = getPath(load(inner), 'modules.dynamicController.enable') === true
      return [on, on ? 'true' : 'false or missing']
    }
  )
  await list.check(
    'cloudcore Running',
    'kubectl -n kubeedge describe pod -l kubeedge=cloudcore',
    async () => {
      const out = (await kubectl(CLOUDCORE_PHASES)).stdout.trim()
      return [out.split(/\s+/).includes('Running'), out || 'no pod']
    }
  )
}

async function edgemeshChecks(list: Checklist, kubectl: Kubectl): Promise<void> {
  await list.check('3 Istio CRDs', 'kubectl apply -f crds/istio/', async () => {
    const out = (await kubectl(['get', 'crd', '-o', 'name'])).stdout
    const found = ['destinationrules', 'gateways', 'virtualservices'].filter(c =>
      out.includes(`${c}.networking.istio.io`)
    )
    return [found.length === 3, `${found.length} of 3`]
  })
  await list.check(
    'edgemesh-agent Ready on all nodes',
    'kubectl -n kubeedge get ds edgemesh-agent; check the PSK and relay nodes',
    async () => {
      const out = (
        await kubectl([
          ...['-n', 'kubeedge', 'get', 'daemonset', 'edgemesh-agent', '-o'],
          'jsonpath={.status.desiredNumberScheduled} {.status.numberReady}'
        ])
      ).stdout.trim()
      const [desired, ready] = out.split(' ')
      return [
        desired !== undefined && desired !== '0' && desired === ready,
        `${ready ?? '?'} of ${desired ?? '?'} ready`
      ]
    }
  )
}

/**
 * The join file's token: present, and how long it has left. An expired token fails no
 * check: the cluster runs on, and only the next edge to join needs a fresh one (the detail
 * says so, and the play of the Ansible collection mints one before its edge batches).
 */
async function tokenCheck(list: Checklist, host: Host): Promise<void> {
  const mint = `sudo ./install.sh token (rewrites ${JOIN_FILE})`
  await list.check('edge token (join file)', `mint a fresh one: ${mint}`, () => {
    if (!host.exists(JOIN_FILE)) return [false, `${JOIN_FILE} missing`]
    const { token } = parseJoinFile(host.read(JOIN_FILE), JOIN_FILE)
    const exp = token ? tokenExpiry(token) : undefined
    if (!exp) return [false, `${JOIN_FILE} holds no token with an expiry`]
    const left = timeLeft(exp)
    const expired = exp.getTime() <= Date.now()
    return [
      true,
      `${JOIN_FILE}: ${expired ? `${left}; before the next edge joins: ${mint}` : `${left} left`} (expires ${rfc3339(exp)})`
    ]
  })
}

/**
 * The checklist for what was installed: EdgeMesh checks only when the install recorded
 * EdgeMesh (or, without a record, when the options and the bundle say so).
 */
export async function runChecks(
  host: Host,
  bundle: BundleInfo,
  options: Options
): Promise<Check[]> {
  const list = new Checklist(host)
  const state = loadState(host)
  const edgemesh = state.edgemesh ?? ((options.edgemesh ?? true) && bundle.edgemesh.enabled)
  if (bundle.side === 'edge') {
    await edgeRuntime(list, bundle, options)
    await edgeChecks(list)
    if (edgemesh) await edgeMeshChecks(list, host)
    return [...list.checks, ...(await upgradedChecks(host, bundle, a => list.run('true', a)))]
  }
  const kubectl: Kubectl = args =>
    options.kubeconfig
      ? list.run('kubectl', ['--kubeconfig', options.kubeconfig, ...args])
      : list.run(placed(host, 'k3s'), ['kubectl', ...args])
  await clusterChecks(list, kubectl)
  if (edgemesh) await edgemeshChecks(list, kubectl)
  await tokenCheck(list, host)
  return [...list.checks, ...(await upgradedChecks(host, bundle, kubectl))]
}
