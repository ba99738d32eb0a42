/**
 * install.js: the offline KubeEdge installer. See options.ts for the command line.
 * Order of business: parse and validate (exit 2), verify the bundle against SHA256SUMS
 * (exit 2), check the host (exit 1, nothing changed), then run the side's steps under the
 * journal, and verify.
 */
import { existsSync, readdirSync, readFileSync, statfsSync } from 'node:fs'
import { connect, createServer, isIP } from 'node:net'
import { arch as hostArch } from 'node:os'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BundleError, verifyBundle, type BundleInfo } from './bundle.js'
import { Host } from './host.js'
import { loadState, saveState, stepHash, STATE_FILE, type State } from './journal.js'
import { parseOptions, UsageError, type Options } from './options.js'
import { cloudSteps, edgeSteps, KEDGE_DIR, type Context, type Step } from './steps.js'
import { loadTrustKey, SITE_TRUST_KEY, TrustError, type TrustKey } from './trust.js'
import { runChecks } from './verify.js'

export interface Output {
  line(text: string): void
  event(data: Record<string, unknown>): void
}

function output(json: boolean, write: (s: string) => void): Output {
  return {
    line: text => {
      if (!json) write(`${text}\n`)
    },
    event: data => {
      if (json) write(`${JSON.stringify(data)}\n`)
    }
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer()
    server.once('error', () => {
      resolve(false)
    })
    server.listen(port, '0.0.0.0', () => {
      server.close(() => {
        resolve(true)
      })
    })
  })
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host, port, timeout: 3000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => {
      resolve(false)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

/** Names of running processes (from /proc). */
function runningProcesses(): Set<string> {
  const names = new Set<string>()
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue
      try {
        names.add(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return names
}

/** Host checks before any change; returns the problems, each with advice. */
export async function preflight(
  host: Host,
  bundle: BundleInfo,
  options: Options,
  state: State
): Promise<string[]> {
  const problems: string[] = []
  const done = (step: string) => state.steps[step] !== undefined
  const underRoot = host.root !== '' && host.root !== '/'
  if (!underRoot && process.getuid?.() !== 0)
    problems.push('not running as root: run it with sudo (or --root DIR for a prefix)')
  const mine = hostArch() === 'x64' ? 'amd64' : hostArch()
  if (mine !== bundle.arch)
    problems.push(`this host is ${mine}, the bundle is for ${bundle.arch}: use the ${mine} bundle`)
  if (!host.exists('/run/systemd/system'))
    problems.push(
      'systemd is not running here (no /run/systemd/system): the installer needs systemd'
    )
  const ports =
    bundle.side === 'cloud'
      ? [6443, 10000, 10001, 10002, 10003, 10004]
      : [10350, ...(bundle.mosquitto.enabled ? [1883] : [])]
  const startStep =
    bundle.side === 'cloud' ? (options.kubeconfig ? 'keadm-init' : 'install-k3s') : 'keadm-join'
  if (!done(startStep)) {
    for (const port of ports) {
      if (!(await portFree(port)))
        problems.push(
          `port ${port} is in use: find the owner with ss -ltnp 'sport = :${port}' and stop it`
        )
    }
    const procs = runningProcesses()
    const conflicts =
      bundle.side === 'cloud'
        ? options.kubeconfig
          ? ['edgecore']
          : ['k3s', 'kubelet', 'edgecore']
        : ['k3s', 'kubelet', 'edgecore']
    for (const name of conflicts) {
      if (procs.has(name))
        problems.push(
          `${name} is already running: uninstall it first (k3s-uninstall.sh, keadm reset) or use another host`
        )
    }
  }
  if (bundle.side === 'edge' && !done('keadm-join')) {
    if (host.exists('/etc/kubeedge') && readdirSync(host.path('/etc/kubeedge')).length > 0) {
      problems.push(
        '/etc/kubeedge is not empty: keadm join needs it empty; run keadm reset (or move it away) first'
      )
    }
    for (const port of [options.cloudPort, options.certPort]) {
      if (!(await reachable(options.cloudIp ?? '', port))) {
        problems.push(
          `the cloud ${options.cloudIp ?? ''}:${port} does not answer: check the address, the cloud firewall (10000 and 10002) and that cloudcore runs`
        )
      }
    }
  }
  const need = bundle.images.reduce((n, i) => n + i.size, 0) * 2
  try {
    const fs = statfsSync(host.path('/'))
    if (fs.bavail * fs.bsize < need)
      problems.push(
        `not enough disk space: ${Math.ceil(need / 1048576)} MiB needed under ${host.path('/')}`
      )
  } catch {
    // statfs unavailable: skip
  }
  return problems
}

function stepsFor(ctx: Context): Step[] {
  return ctx.bundle.side === 'cloud' ? cloudSteps(ctx) : edgeSteps(ctx)
}

/** Runs the steps under the journal; KEDGE_FAIL_AFTER=<step> stops right after that step (crash tests). */
async function install(ctx: Context, out: Output): Promise<void> {
  const { host } = ctx
  const state = loadState(host)
  state.side = ctx.bundle.side
  state.bundle = ctx.bundle.name
  let previous = ''
  for (const [i, step] of stepsFor(ctx).entries()) {
    const hash = stepHash(previous, step.inputs)
    previous = hash
    const label = `[${i + 1}] ${step.name}`
    if (state.steps[step.name]?.hash === hash) {
      out.line(`${label}: done before, skipped`)
      out.event({ step: step.name, status: 'skipped' })
      continue
    }
    out.line(`${label}: ${step.title}`)
    out.event({ step: step.name, status: 'running' })
    const started = Date.now()
    host.takeTouched()
    await step.run()
    const seconds = (Date.now() - started) / 1000
    state.steps[step.name] = {
      hash,
      finishedAt: new Date().toISOString(),
      seconds,
      files: host.takeTouched()
    }
    saveState(host, state)
    out.line(`${label}: ok (${seconds.toFixed(1)} s)`)
    out.event({ step: step.name, status: 'ok', seconds })
    if (process.env.KEDGE_FAIL_AFTER === step.name) {
      out.line(`KEDGE_FAIL_AFTER=${step.name}: stopping here, as asked (crash test)`)
      process.exit(1)
    }
  }
}

async function uninstall(ctx: Context, out: Output): Promise<void> {
  const { host, options, bundle } = ctx
  const state = loadState(host)
  const quiet = { allowFailure: true }
  if (bundle.side === 'cloud') {
    if (state.steps.edgemesh)
      await host.run(
        'helm',
        [
          'uninstall',
          'edgemesh',
          '-n',
          'kubeedge',
          '--kubeconfig',
          options.kubeconfig ?? host.path('/etc/rancher/k3s/k3s.yaml')
        ],
        quiet
      )
    if (state.steps['keadm-init'])
      await host.run(
        'keadm',
        [
          'reset',
          '--force',
          `--kube-config=${options.kubeconfig ?? host.path('/etc/rancher/k3s/k3s.yaml')}`
        ],
        quiet
      )
    if (state.steps['install-k3s'] && host.exists('/usr/local/bin/k3s-uninstall.sh'))
      await host.run('sh', [host.path('/usr/local/bin/k3s-uninstall.sh')], quiet)
  } else {
    if (state.steps['keadm-join']) await host.run('keadm', ['reset', '--force'], quiet)
    if (state.steps['start-containerd'])
      await host.run('systemctl', ['disable', '--now', 'containerd'], quiet)
  }
  const kept = [`${KEDGE_DIR}/edge-join.txt`, `${KEDGE_DIR}/edgemesh-psk.txt`]
  const keep = new Set(kept)
  const steps = Object.entries(state.steps).reverse()
  for (const [name, record] of steps) {
    for (const file of [...record.files].reverse()) {
      if (!keep.has(file)) host.restore(file)
    }
    out.line(`undone: ${name}`)
  }
  if (bundle.side === 'edge' && state.steps['start-containerd'])
    await host.run('systemctl', ['daemon-reload'], quiet)
  host.remove(STATE_FILE)
  if (options.purge) {
    // Also those a later run reused rather than wrote, and the log.
    for (const file of [...kept, `/var/log/kubeedge-${bundle.side}-install.log`]) host.remove(file)
  }
  out.line(
    options.purge
      ? 'uninstalled; logs, token and PSK removed too (--purge)'
      : `uninstalled; kept the log, ${KEDGE_DIR}/edge-join.txt and edgemesh-psk.txt (use --purge to remove them)`
  )
}

/** On a TTY without --yes: confirm the advertise address and ask about EdgeMesh. */
async function askCloud(options: Options, out: Output): Promise<void> {
  const { createInterface } = await import('node:readline/promises')
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    const shown = options.advertiseAddress.join(',')
    const answer = (await rl.question(`Advertise address for edge nodes [${shown}]: `)).trim()
    if (answer) {
      const ips = answer.split(',').map(a => a.trim())
      const bad = ips.find(a => isIP(a) === 0)
      if (bad !== undefined) throw new UsageError(`"${bad}" is not an IP address`)
      options.advertiseAddress = ips
    }
    if (options.edgemesh === undefined) {
      const yes = (await rl.question('Install EdgeMesh? [Y/n]: ')).trim().toLowerCase()
      options.edgemesh = yes === '' || yes === 'y' || yes === 'yes'
    }
    out.line(
      `advertise address ${options.advertiseAddress.join(',')}; EdgeMesh ${options.edgemesh ? 'yes' : 'no'}`
    )
  } finally {
    rl.close()
  }
}

/** The key a bundle must be signed with: --trust-key, else the site's, else none. */
function siteTrust(options: Options): TrustKey | undefined {
  if (options.trustKey) return loadTrustKey(options.trustKey, `--trust-key ${options.trustKey}`)
  const site = new Host(options.root, undefined).path(SITE_TRUST_KEY)
  return existsSync(site) ? loadTrustKey(site, site) : undefined
}

export async function main(
  argv: string[],
  write: (s: string) => void = s => process.stdout.write(s)
): Promise<number> {
  let options: Options
  try {
    const parsed = parseOptions(argv)
    if ('help' in parsed) {
      write(`${parsed.help}\n`)
      return 0
    }
    options = parsed
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`install.js: ${err.message}\n(see node install.js --help)\n`)
      return 2
    }
    throw err
  }
  const out = output(options.json, write)
  const bundleDir = options.bundleDir ?? dirname(fileURLToPath(import.meta.url))
  let bundle: BundleInfo
  try {
    bundle = await verifyBundle(bundleDir, siteTrust(options))
  } catch (err) {
    if (err instanceof BundleError || err instanceof TrustError) {
      process.stderr.write(`install.js: ${err.message}\n`)
      return 2
    }
    throw err
  }
  const side = options.side ?? bundle.side
  if (side !== bundle.side) {
    process.stderr.write(
      `install.js: this is the ${bundle.side} bundle (${bundle.name}); to install the ${side} side use the ${side} bundle, or run: node install.js ${bundle.side} ...\n`
    )
    return 2
  }
  options.side = side
  if (
    side === 'edge' &&
    (options.command === 'plan' || options.command === 'edge') &&
    (!options.cloudIp || !options.token)
  ) {
    process.stderr.write(
      'install.js: edge needs --cloudcore-ipport IP:10000 and --token or --token-file\n'
    )
    return 2
  }
  const logFile =
    options.logFile ??
    `${options.root && options.root !== '/' ? options.root : ''}/var/log/kubeedge-${side}-install.log`
  const host = new Host(options.root, options.command === 'plan' ? undefined : logFile)
  if (options.token) host.addSecret(options.token)
  const ctx: Context = {
    host,
    bundle,
    options,
    say: line => {
      out.line(host.mask(line))
    }
  }

  if (options.command === 'plan') {
    const steps = stepsFor(ctx)
    out.line(`plan for ${bundle.name} (${side}) on ${host.path('/')}; nothing is changed:`)
    for (const [i, step] of steps.entries()) {
      out.line(`[${i + 1}] ${step.name}: ${step.title}`)
      for (const p of step.plan) out.line(`      ${host.mask(p)}`)
    }
    out.event({
      plan: steps.map(s => ({
        step: s.name,
        title: s.title,
        commands: s.plan.map(p => host.mask(p))
      }))
    })
    return 0
  }
  if (options.command === 'verify') {
    const checks = await runChecks(host, bundle, options)
    for (const c of checks)
      out.line(
        `${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}${c.ok ? '' : `\n      hint: ${c.hint}`}`
      )
    out.event({ checks })
    return checks.every(c => c.ok) ? 0 : 1
  }
  if (options.command === 'uninstall') {
    await uninstall(ctx, out)
    return 0
  }

  if (side === 'cloud' && process.stdin.isTTY && !options.yes && !options.json) {
    try {
      await askCloud(options, out)
    } catch (err) {
      if (!(err instanceof UsageError)) throw err
      process.stderr.write(`install.js: ${err.message}\n`)
      return 2
    }
  }
  const state = loadState(host)
  const problems = await preflight(host, bundle, options, state)
  if (problems.length > 0) {
    process.stderr.write(
      `install.js: the host is not ready; nothing was changed:\n  ${problems.join('\n  ')}\n`
    )
    out.event({ preflight: problems })
    return 1
  }
  out.line(`installing ${bundle.name} (${side}); full log: ${logFile}`)
  host.log(`kedge install.js ${options.command} on node ${process.version} (${process.execPath})`)
  try {
    await install(ctx, out)
  } catch (err) {
    const message = host.mask(err instanceof Error ? err.message : String(err))
    process.stderr.write(
      `install.js: ${message}\nthe log has every command and its output: ${logFile}; fix the cause and run the same command again (finished steps are skipped)\n`
    )
    out.event({ error: message })
    return 1
  }
  out.line('verifying:')
  const checks = await runChecks(host, bundle, options)
  for (const c of checks)
    out.line(
      `  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}${c.ok ? '' : `  (hint: ${c.hint})`}`
    )
  out.event({ checks })
  return checks.every(c => c.ok) ? 0 : 1
}
