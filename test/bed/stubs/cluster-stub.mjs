#!/usr/bin/env node
// RECORDING STUB for the cluster tools kedge's installer drives and that cannot run here:
// systemctl, k3s, kubectl, keadm, helm and ip. Linked under each name. It appends every
// call to $KEDGE_STUB_LOG (JSON lines) and answers the installer's queries from a small
// state file ($KEDGE_STUB_STATE). It simulates; it installs nothing real. Files the real
// tools would write (edgecore.yaml, certificates) go under $KEDGE_STUB_ROOT.
// Simulated imperfection: keadm join leaves clusterDNS out of edgecore.yaml, so the
// installer's read-back and repair are exercised.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { basename, dirname, join } from 'node:path'

const tool = basename(process.argv[1])
const args = process.argv.slice(2)
const root = process.env.KEDGE_STUB_ROOT ?? '/nonexistent'
const stateFile = process.env.KEDGE_STUB_STATE
appendFileSync(process.env.KEDGE_STUB_LOG, `${JSON.stringify({ tool, args })}\n`)
const state =
  stateFile && existsSync(stateFile)
    ? JSON.parse(readFileSync(stateFile, 'utf8'))
    : { active: {}, images: [], crds: [] }
const save = () => stateFile && writeFileSync(stateFile, JSON.stringify(state))
const out = s => process.stdout.write(`${s}\n`)
const put = (p, text) => {
  mkdirSync(dirname(join(root, p)), { recursive: true })
  writeFileSync(join(root, p), text)
}
const flag = name =>
  args
    .find(a => a.startsWith(`--${name}=`))
    ?.split('=')
    .slice(1)
    .join('=')

function cloudcoreConfigMap(dynamic) {
  const inner = [
    'apiVersion: cloudcore.config.kubeedge.io/v1alpha2',
    'kind: CloudCore',
    'kubeAPIConfig:',
    '  qps: 100',
    'modules:',
    '  cloudHub:',
    '    advertiseAddress:',
    '    - 192.0.2.10',
    '    websocket:',
    '      port: 10000',
    '  dynamicController:',
    `    enable: ${dynamic}`,
    ''
  ].join('\n')
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cloudcore', namespace: 'kubeedge', resourceVersion: '42' },
    data: { 'cloudcore.yaml': inner }
  }
}

function kubectl(a) {
  const words = a.filter(x => !x.startsWith('--kubeconfig'))
  const has = (...w) => w.every(x => words.includes(x))
  if (has('get', '--raw', '/readyz')) return out('ok')
  if (has('get', 'namespace', 'kubeedge'))
    return state.namespace ? out('kubeedge') : process.exit(1)
  if (has('create', 'namespace', 'kubeedge')) {
    state.namespace = true
    return out('namespace/kubeedge created')
  }
  if (has('apply', '-f')) {
    const file = words[words.indexOf('-f') + 1]
    const name = /name: (\S+)/.exec(readFileSync(file, 'utf8'))?.[1]
    if (name && !state.crds.includes(name)) state.crds.push(name)
    return out(`customresourcedefinition.apiextensions.k8s.io/${name} created`)
  }
  if (has('get', 'configmap', 'cloudcore')) {
    if (!state.configMap) {
      process.stderr.write('Error from server (NotFound): configmaps "cloudcore" not found\n')
      process.exit(1)
    }
    // What was last written wins (kubectl replace), as on a real API server.
    return out(state.configMapText ?? JSON.stringify(state.configMap))
  }
  if (has('replace', '-f')) {
    state.configMapText = readFileSync(words[words.indexOf('-f') + 1], 'utf8')
    state.replaced = (state.replaced ?? 0) + 1
    return out('configmap/cloudcore replaced')
  }
  if (has('get', 'pods')) return out(state.cloudcore ? 'Running' : '')
  if (has('get', 'nodes')) return out('cloud-1=True ')
  if (has('get', 'crd', '-o', 'name'))
    return out(state.crds.map(c => `customresourcedefinition.apiextensions.k8s.io/${c}`).join('\n'))
  if (has('get', 'daemonset', 'edgemesh-agent')) return out(state.edgemesh ? '1 1' : '0 0')
  return out('ok')
}

switch (tool) {
  case 'systemctl': {
    const [verb, ...rest] = args
    const unit = rest.filter(r => !r.startsWith('-')).pop()
    if (verb === 'is-active') {
      out(state.active[unit] ? 'active' : 'inactive')
      process.exitCode = state.active[unit] ? 0 : 3
    } else if (verb === 'enable' && rest.includes('--now')) state.active[unit] = true
    else if (verb === 'restart' || verb === 'start') state.active[unit] = true
    else if (verb === 'disable' && rest.includes('--now')) state.active[unit] = false
    break
  }
  case 'keadm': {
    const [verb] = args
    if (verb === 'join') {
      const sets = Object.fromEntries(
        args[args.indexOf('--set') + 1].split(/,(?![^{]*})/).map(kv => kv.split('='))
      )
      const cloud = flag('cloudcore-ipport')?.split(':')[0]
      put(
        '/etc/kubeedge/config/edgecore.yaml',
        [
          'apiVersion: edgecore.config.kubeedge.io/v1alpha2',
          'kind: EdgeCore',
          'modules:',
          '  edgeHub:',
          `    httpServer: https://${cloud}:10002`,
          '  edgeStream:',
          `    enable: ${sets['modules.edgeStream.enable']}`,
          `    server: ${sets['modules.edgeStream.server']}`,
          '  edged:',
          `    hostnameOverride: ${flag('edgenode-name')}`,
          '    tailoredKubeletConfig:',
          `      cgroupDriver: ${flag('cgroupdriver')}`,
          `      clusterDomain: ${sets['modules.edged.tailoredKubeletConfig.clusterDomain']}`,
          '  metaManager:',
          '    metaServer:',
          `      enable: ${sets['modules.metaManager.metaServer.enable']}`,
          ''
        ].join('\n')
      )
      put('/etc/kubeedge/ca/rootCA.crt', 'stub CA\n')
      put('/etc/kubeedge/certs/server.crt', 'stub cert\n')
      put('/etc/kubeedge/certs/server.key', 'stub key\n')
      state.active.edgecore = true
    } else if (verb === 'gettoken') {
      // Like cloudcore's: a JWT that expires 2 x tokenRefreshDuration (12 h) after it is made.
      const exp = Math.floor(Date.now() / 1000) + 86400
      const jwt = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}`
      out(`${'ab'.repeat(32)}.${jwt}.c3R1Yi1zaWduYXR1cmU`)
    } else if (verb === 'init') {
      state.cloudcore = true
      state.configMap = cloudcoreConfigMap(
        args.includes('cloudCore.modules.dynamicController.enable=true')
      )
    } else if (verb === 'reset') {
      rmSync(join(root, 'etc/kubeedge'), { recursive: true, force: true })
      state.active.edgecore = false
      // A real reset removes the cloudcore release with its ConfigMap.
      state.cloudcore = false
      delete state.configMap
      delete state.configMapText
    }
    break
  }
  case 'k3s': {
    if (args[0] === 'kubectl') kubectl(args.slice(1))
    else if (args[0] === 'ctr' && args.includes('import')) {
      const index = JSON.parse(
        execFileSync('tar', ['-xOf', args[args.length - 1], 'index.json'], { encoding: 'utf8' })
      )
      for (const m of index.manifests) state.images.push(m.annotations['io.containerd.image.name'])
    } else if (args[0] === 'ctr' && args.includes('ls')) out(state.images.join('\n'))
    break
  }
  case 'kubectl':
    kubectl(args)
    break
  case 'helm':
    if (args[0] === 'upgrade') state.edgemesh = true
    if (args[0] === 'uninstall') state.edgemesh = false
    break
  case 'ip':
    if (state.active.edgecore)
      out(
        '5: edgemesh0: <BROADCAST,NOARP> mtu 1500\n    inet 169.254.96.16/32 scope global edgemesh0'
      )
    else process.exitCode = 1
    break
  default:
    process.stderr.write(`cluster-stub: unknown tool ${tool}\n`)
    process.exitCode = 127
}
save()
