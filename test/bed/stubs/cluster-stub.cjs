#!/usr/bin/env node
// CommonJS, so that a copy without the .cjs name (inside a release asset) still runs.
// RECORDING STUB for the cluster tools kedge's installer drives and that cannot run here:
// systemctl, ip and sudo (linked on PATH: a real host has them), and k3s (with its kubectl
// link), keadm and helm, whose stand-in release assets carry this file as their binary. It appends every
// call to $KEDGE_STUB_LOG (JSON lines) and answers the installer's queries from a small
// state file ($KEDGE_STUB_STATE). It simulates; it installs nothing real. Files the real
// tools would write (edgecore.yaml, certificates) go under $KEDGE_STUB_ROOT.
// Simulated imperfection: keadm join leaves clusterDNS out of edgecore.yaml, so the
// installer's read-back and repair are exercised.
// Crash tests: KEDGE_STUB_HANG="<tool> <verb>" (e.g. "keadm join") makes that call do the
// first half of its work and then hang until killed, like a tool stuck mid-way.
// keadm join and keadm reset edge|cloud follow KubeEdge v1.22's keadm: join writes
// /usr/local/bin/edgecore, /etc/systemd/system/edgecore.service and /etc/kubeedge; reset
// edge removes the unit and /etc/kubeedge, /var/lib/kubeedge, /var/log/kubeedge (not the
// binary); reset cloud removes the cloudcore release.
// Upgrades follow keadm v1.22 (docs/upstream-facts.md section 11): `keadm upgrade cloud` is a
// helm upgrade of the release cloudcore that needs it to exist, and brings the chart defaults
// back (dynamicController off) unless --reuse-values; `keadm upgrade edge` asks [y/N] without
// --force, defaults --toVersion to v1.22.0, copies the new edgecore to /usr/local/bin and
// leaves edgecore.yaml alone; `keadm backup edge` copies edgecore.yaml and edgecore into
// /etc/kubeedge/backup/<version>/ and refuses an unknown version; `keadm rollback edge`
// copies the newest backup back. helm keeps a revision number per release. keadm upgrade,
// backup and rollback edge take keadm's lock /etc/kubeedge/idempotency_record (refusing while
// it exists, "the mutually exclusive command is being executed") and remove it when done, so
// a keadm killed half way leaves it; a hung `keadm upgrade edge` has copied the new edgecore
// to /etc/kubeedge/upgrade/<version>/ and stopped edgecore, but not yet replaced the binary.
const {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} = require('node:fs')
const { execFileSync, spawnSync } = require('node:child_process')
const { basename, dirname, join } = require('node:path')

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
const put = (p, text, mode) => {
  mkdirSync(dirname(join(root, p)), { recursive: true })
  writeFileSync(join(root, p), text)
  if (mode) chmodSync(join(root, p), mode)
}
const hang = verb => {
  if (process.env.KEDGE_STUB_HANG !== `${tool} ${verb}`) return
  save()
  appendFileSync(
    process.env.KEDGE_STUB_LOG,
    `${JSON.stringify({ tool, args: ['(hung)', verb] })}\n`
  )
  // Blocks this process until it is killed.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
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

const EDGECORE_YAML = 'etc/kubeedge/config/edgecore.yaml'
const BACKUP = 'etc/kubeedge/backup'

function keadmUpgrade() {
  if (args[1] === 'cloud') {
    if (!state.cloudcore) {
      process.stderr.write('Error: release cloudcore not found; run keadm init first\n')
      process.exit(1)
    }
    const previous = state.configMapText ?? JSON.stringify(state.configMap)
    const wasOn = /dynamicController:(\\n|\s)*enable: true/.test(previous)
    const setOn = args.includes('cloudCore.modules.dynamicController.enable=true')
    // Hand edits to the ConfigMap are overwritten either way; the values decide.
    state.configMap = cloudcoreConfigMap(setOn || (args.includes('--reuse-values') && wasOn))
    delete state.configMapText
    state.cloudcoreBefore = state.cloudcoreVersion
    state.cloudcoreVersion = flag('kubeedge-version')
    state.helm = { ...state.helm, cloudcore: (state.helm?.cloudcore ?? 1) + 1 }
    return out(`CloudCore upgraded to ${state.cloudcoreVersion}`)
  }
  if (!args.includes('--force')) {
    process.stderr.write('Are you sure you want to upgrade? [y/N]: aborted\n')
    process.exit(1)
  }
  const to = flag('toVersion') ?? 'v1.22.0'
  occupy()
  const edgecore = `#!/bin/sh\necho "KubeEdge ${to}"\n`
  put(`/etc/kubeedge/upgrade/${to}/edgecore`, edgecore, 0o755)
  state.active.edgecore = false
  hang('upgrade')
  put('/usr/local/bin/edgecore', edgecore, 0o755)
  state.edgecoreVersion = to
  state.active.edgecore = true
  out(`upgrade edgecore to ${to} done`)
}

const LOCK = 'etc/kubeedge/idempotency_record'
function occupy() {
  if (existsSync(join(root, LOCK))) {
    process.stderr.write('Error: the mutually exclusive command is being executed\n')
    process.exit(1)
  }
  put(LOCK, '')
  // As keadm's deferred release: on any exit, not on SIGKILL.
  process.once('exit', () => rmSync(join(root, LOCK), { force: true }))
}

function keadmBackupRollback(verb) {
  occupy()
  const yaml = join(root, EDGECORE_YAML)
  const bin = join(root, 'usr/local/bin/edgecore')
  if (verb === 'backup') {
    const version = state.edgecoreVersion
    if (!version) {
      process.stderr.write('failed to get current version\n')
      process.exit(1)
    }
    const dir = join(root, BACKUP, version)
    mkdirSync(dir, { recursive: true })
    copyFileSync(yaml, join(dir, 'edgecore.yaml'))
    if (existsSync(bin)) copyFileSync(bin, join(dir, 'edgecore'))
    return out(`backup to ${dir} done`)
  }
  const versions = existsSync(join(root, BACKUP)) ? readdirSync(join(root, BACKUP)).sort() : []
  const version = flag('history') ?? versions.at(-1)
  if (!version) {
    process.stderr.write('no backup found\n')
    process.exit(1)
  }
  const dir = join(root, BACKUP, version)
  copyFileSync(join(dir, 'edgecore.yaml'), yaml)
  if (existsSync(join(dir, 'edgecore'))) copyFileSync(join(dir, 'edgecore'), bin)
  state.edgecoreVersion = version
  state.active.edgecore = true
  out(`rollback to ${version} done`)
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
  if (has('get', 'pods'))
    return out(
      state.cloudcore && Date.now() >= (state.cloudcoreReadyAt ?? 0)
        ? 'Running'
        : state.cloudcore
          ? 'Pending'
          : ''
    )
  if (has('get', 'nodes')) return out('cloud-1=True ')
  if (has('get', 'crd', '-o', 'name'))
    return out(state.crds.map(c => `customresourcedefinition.apiextensions.k8s.io/${c}`).join('\n'))
  if (has('get', 'deployment', 'cloudcore'))
    return out(state.cloudcore ? `kubeedge/cloudcore:${state.cloudcoreVersion ?? '?'}` : '')
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
      put(
        '/usr/local/bin/edgecore',
        `#!/bin/sh\n# STUB edgecore from the installation-package image\necho "KubeEdge ${flag('kubeedge-version') ?? 'v1.22.0'}"\n`,
        0o755
      )
      put(
        '/etc/systemd/system/edgecore.service',
        '[Unit]\nDescription=edgecore (STUB, written by the keadm join stub)\n[Service]\nExecStart=/usr/local/bin/edgecore\n'
      )
      // A slow join (a slow disk, a far cloud): the installer must keep talking meanwhile.
      if (state.slowJoinSeconds) execFileSync('sleep', [String(state.slowJoinSeconds)])
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
      if (process.env.KEDGE_STUB_HANG === 'keadm join') state.active.edgecore = true
      hang('join')
      put('/etc/kubeedge/ca/rootCA.crt', 'stub CA\n')
      put('/etc/kubeedge/certs/server.crt', 'stub cert\n')
      put('/etc/kubeedge/certs/server.key', 'stub key\n')
      state.active.edgecore = true
      state.edgecoreVersion = flag('kubeedge-version')
    } else if (verb === 'upgrade') keadmUpgrade()
    else if (verb === 'backup' || verb === 'rollback') keadmBackupRollback(verb)
    else if (verb === 'gettoken') {
      // As cloudcore signs it: a JWT whose exp is 2 x tokenRefreshDuration (12 h) ahead.
      const b64 = o => Buffer.from(JSON.stringify(o)).toString('base64url')
      const exp = Math.floor(Date.now() / 1000) + 24 * 3600
      state.tokens = (state.tokens ?? 0) + 1
      out(
        `${'ab'.repeat(32)}.${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp, n: state.tokens })}.c3R1Yi1zaWduYXR1cmU`
      )
    } else if (verb === 'init') {
      state.configMap = cloudcoreConfigMap(
        args.includes('cloudCore.modules.dynamicController.enable=true')
      )
      hang('init') // the release exists, cloudcore is not running yet
      state.cloudcore = true
      state.cloudcoreVersion = flag('kubeedge-version')
      state.helm = { ...state.helm, cloudcore: 1 }
      if (state.slowInitSeconds) {
        // A slow host: keadm init gives up after its 60 s Helm wait; the release comes up later.
        state.cloudcoreReadyAt = Date.now() + state.slowInitSeconds * 1000
        process.stderr.write('Error: timed out waiting for the condition\n')
        process.exitCode = 1
      }
    } else if (verb === 'reset' && args[1] === 'edge') {
      for (const dir of ['etc/kubeedge', 'var/lib/kubeedge', 'var/log/kubeedge'])
        rmSync(join(root, dir), { recursive: true, force: true })
      rmSync(join(root, 'etc/systemd/system/edgecore.service'), { force: true })
      state.active.edgecore = false
    } else if (verb === 'reset' && args[1] === 'cloud') {
      // A real reset removes the cloudcore release with its ConfigMap.
      state.cloudcore = false
      delete state.configMap
      delete state.configMapText
    } else if (verb === 'reset') {
      process.stderr.write('keadm reset: use keadm reset edge or keadm reset cloud (v1.22)\n')
      process.exitCode = 1
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
      // The content store keeps every blob the archive carried (a delta's absent ones stay out).
      const listing = execFileSync('tar', ['-tf', args[args.length - 1]], { encoding: 'utf8' })
      const blobs = new Set(state.blobs ?? [])
      for (const m of listing.matchAll(/^blobs\/sha256\/([a-f0-9]{64})$/gm))
        blobs.add(`sha256:${m[1]}`)
      state.blobs = [...blobs]
    } else if (args[0] === 'ctr' && args.includes('content')) out((state.blobs ?? []).join('\n'))
    else if (args[0] === 'ctr' && args.includes('ls')) out(state.images.join('\n'))
    break
  }
  case 'kubectl':
    kubectl(args)
    break
  case 'helm': {
    const release = args.slice(1).find(a => !a.startsWith('-'))
    const revisions = (state.helm ??= {})
    if (args[0] === 'upgrade') {
      if (!args.includes('--install') && !revisions[release]) {
        process.stderr.write(`Error: UPGRADE FAILED: "${release}" has no deployed releases\n`)
        process.exit(1)
      }
      state.edgemesh = true
      revisions[release] = (revisions[release] ?? 0) + 1
    } else if (args[0] === 'uninstall') {
      state.edgemesh = false
      delete revisions[release]
    } else if (args[0] === 'status') {
      if (!revisions[release]) {
        process.stderr.write('Error: release: not found\n')
        process.exit(1)
      }
      out(JSON.stringify({ name: release, version: revisions[release] }))
    } else if (args[0] === 'rollback') {
      // A rollback is a new revision with the old one's content.
      revisions[release] = (revisions[release] ?? 0) + 1
      state.rolledBack = { ...state.rolledBack, [release]: Number(args[2]) }
      if (release === 'cloudcore')
        state.cloudcoreVersion = state.cloudcoreBefore ?? state.cloudcoreVersion
    }
    break
  }
  case 'sudo':
    // As root, sudo runs the command (keadm join's `sudo systemctl ...`).
    process.exitCode = spawnSync(args[0], args.slice(1), { stdio: 'inherit' }).status ?? 1
    break
  case 'ip':
    if (args.join(' ') === '-4 route show default') {
      if (!state.noDefaultRoute || state.dummyRoute) out('default via 192.0.2.1 dev eth0')
    } else if (args[0] === 'route' && args[1] === 'add') state.dummyRoute = true
    else if (['link', 'addr'].includes(args[0])) {
      // ip link/addr add (the dummy route): recorded
    } else if (state.active.edgecore)
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
