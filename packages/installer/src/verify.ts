/** verify: the operators' checklist, PASS/FAIL per check, with a hint for each failure. */
import { request } from 'node:http'
import { load } from 'js-yaml'
import type { BundleInfo } from './bundle.js'
import { getPath } from './config.js'
import type { Host } from './host.js'
import type { Options } from './options.js'
import { CLOUDCORE_PHASES, KEDGE_DIR, missingImages } from './steps.js'

export interface Check {
  name: string
  ok: boolean
  detail: string
  hint: string
}

function httpOk(url: string): Promise<boolean> {
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

export async function runChecks(
  host: Host,
  bundle: BundleInfo,
  options: Options
): Promise<Check[]> {
  const checks: Check[] = []
  const check = async (
    name: string,
    hint: string,
    probe: () => Promise<[boolean, string]> | [boolean, string]
  ) => {
    try {
      const [ok, detail] = await probe()
      checks.push({ name, ok, detail, hint })
    } catch (err) {
      checks.push({ name, ok: false, detail: host.mask((err as Error).message), hint })
    }
  }
  const run = async (command: string, args: string[]) =>
    host.run(command, args, { allowFailure: true })
  const serviceActive = (unit: string, hint: string) =>
    check(`${unit} active`, hint, async () => {
      const out = (await run('systemctl', ['is-active', unit])).stdout.trim()
      return [out === 'active', out || 'no answer']
    })
  if (bundle.side === 'edge') {
    const ctrArgs = ['--address', options.containerdAddress, '--namespace', 'k8s.io']
    await serviceActive('containerd', 'systemctl status containerd; journalctl -u containerd')
    await check(
      'every bundled image present',
      're-run the installer (import-images), or ctr -n k8s.io images import images/edge-images.tar',
      async () => {
        const missing = missingImages(
          (await run('ctr', [...ctrArgs, 'images', 'ls', '-q'])).stdout,
          bundle
        )
        return [
          missing.length === 0,
          missing.length ? `missing: ${missing.join(', ')}` : `${bundle.images.length} images`
        ]
      }
    )
    await serviceActive(
      'edgecore',
      'journalctl -u edgecore; check the token and that the cloud answers on 10000 and 10002'
    )
    await check(
      'metaServer answers 127.0.0.1:10550/api/v1/services',
      'modules.metaManager.metaServer.enable must be true in edgecore.yaml; restart edgecore',
      async () => {
        const url = `${process.env.KEDGE_METASERVER ?? 'http://127.0.0.1:10550'}/api/v1/services`
        const ok = await httpOk(url)
        return [ok, ok ? 'answering' : `no answer from ${url}`]
      }
    )
    await check(
      'edgemesh0 holds 169.254.96.16',
      'kubectl -n kubeedge get pods -l k8s-app=kubeedge,kubeedge=edgemesh-agent -o wide on the cloud; the agent must run on this node',
      async () => {
        const out = (await run('ip', ['-4', 'addr', 'show', 'edgemesh0'])).stdout
        return [
          out.includes('169.254.96.16'),
          out.includes('169.254.96.16') ? 'present' : 'edgemesh0 has no 169.254.96.16'
        ]
      }
    )
    await check(
      'clusterDNS is 169.254.96.16',
      'run the installer again (check-edgecore-config fixes it)',
      () => {
        const doc = load(host.read('/etc/kubeedge/config/edgecore.yaml'))
        const dns = getPath(doc, 'modules.edged.tailoredKubeletConfig.clusterDNS')
        return [Array.isArray(dns) && dns.includes('169.254.96.16'), JSON.stringify(dns ?? null)]
      }
    )
    return checks
  }
  const kubectl = (args: string[]) =>
    options.kubeconfig
      ? run('kubectl', ['--kubeconfig', options.kubeconfig, ...args])
      : run('k3s', ['kubectl', ...args])
  await check('k3s node Ready', 'journalctl -u k3s; kubectl describe node', async () => {
    const out = (
      await kubectl([
        'get',
        'nodes',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}'
      ])
    ).stdout.trim()
    const notReady = out.split(/\s+/).filter(n => n && !n.endsWith('=True'))
    return [out !== '' && notReady.length === 0, out || 'no nodes']
  })
  await check('3 Istio CRDs', 'kubectl apply -f crds/istio/', async () => {
    const out = (await kubectl(['get', 'crd', '-o', 'name'])).stdout
    const found = ['destinationrules', 'gateways', 'virtualservices'].filter(c =>
      out.includes(`${c}.networking.istio.io`)
    )
    return [found.length === 3, `${found.length} of 3`]
  })
  await check(
    'dynamicController enabled',
    're-run the installer (keadm-init turns it on in the ConfigMap)',
    async () => {
      const cm = (await kubectl(['-n', 'kubeedge', 'get', 'configmap', 'cloudcore', '-o', 'yaml']))
        .stdout
      const inner =
        (load(cm) as { data?: Record<string, string> } | null)?.data?.['cloudcore.yaml'] ?? ''
      const on = getPath(load(inner), 'modules.dynamicController.enable') === true
      return [on, on ? 'true' : 'false or missing']
    }
  )
  await check(
    'cloudcore Running',
    'kubectl -n kubeedge describe pod -l kubeedge=cloudcore',
    async () => {
      const out = (await kubectl(CLOUDCORE_PHASES)).stdout.trim()
      return [out.split(/\s+/).includes('Running'), out || 'no pod']
    }
  )
  if ((options.edgemesh ?? true) && bundle.edgemesh.enabled) {
    await check(
      'edgemesh-agent Ready on all nodes',
      'kubectl -n kubeedge get ds edgemesh-agent; check the PSK and relay nodes',
      async () => {
        const out = (
          await kubectl([
            '-n',
            'kubeedge',
            'get',
            'daemonset',
            'edgemesh-agent',
            '-o',
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
  await check('edge token present', `keadm gettoken; ${KEDGE_DIR}/edge-join.txt`, () =>
    Promise.resolve([
      host.exists(`${KEDGE_DIR}/edge-join.txt`),
      host.exists(`${KEDGE_DIR}/edge-join.txt`) ? `${KEDGE_DIR}/edge-join.txt` : 'missing'
    ])
  )
  return checks
}
