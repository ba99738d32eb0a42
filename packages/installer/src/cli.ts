/**
 * install.js: the offline KubeEdge installer. See options.ts for the command line.
 * Order of business: parse and validate (exit 2), verify the bundle against SHA256SUMS
 * (exit 2), check the host (exit 1, nothing changed), then run the side's steps under the
 * journal, and verify. With --json every command ends with one JSON object, the last line
 * of stdout, holding at least `command` and `ok`.
 */
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLE_META, BundleError, verifyBundle, type BundleInfo } from './bundle.js'
import { Host } from './host.js'
import { loadState } from './journal.js'
import { JOIN_FILE, rfc3339, timeLeft, tokenExpiry } from './joinfile.js'
import { parseOptions, UsageError, type Options } from './options.js'
import { output, type Output } from './output.js'
import { preflight } from './preflight.js'
import { askCloud, confirmUninstall, Interrupted } from './prompts.js'
import { install, stepsFor, uninstall } from './runner.js'
import { cloudKubeconfig, edgemeshOn, handoffLines, writeJoinFile } from './steps/index.js'
import type { Context } from './steps/index.js'
import { loadTrustKey, SITE_TRUST_KEY, TrustError, type TrustKey } from './trust.js'
import { deltaInstallRefusal, upgradeCommand } from './upgrade/command.js'
import { runChecks, type Check } from './verify.js'

/** A failure with its exit code, reported on stderr (and in the JSON result). */
class Stop extends Error {
  constructor(
    message: string,
    readonly code: number
  ) {
    super(message)
  }
}

/** The key a bundle must be signed with: --trust-key, else the site's, else none. */
function siteTrust(options: Options): TrustKey | undefined {
  if (options.trustKey) return loadTrustKey(options.trustKey, `--trust-key ${options.trustKey}`)
  const site = new Host(options.root, undefined).path(SITE_TRUST_KEY)
  return existsSync(site) ? loadTrustKey(site, site) : undefined
}

/**
 * The bundle beside install.js (or --bundle), checked, and of the side asked for; and the
 * key its signature was checked with. plan hashes only meta/bundle.json (bundle.ts).
 */
async function loadBundle(
  options: Options
): Promise<{ bundle: BundleInfo; trust: TrustKey | undefined }> {
  const bundleDir = options.bundleDir ?? dirname(fileURLToPath(import.meta.url))
  let bundle: BundleInfo
  let trust: TrustKey | undefined
  try {
    trust = siteTrust(options)
    bundle = await verifyBundle(bundleDir, trust, { hashAll: options.command !== 'plan' })
  } catch (err) {
    if (err instanceof BundleError || err instanceof TrustError) throw new Stop(err.message, 2)
    throw err
  }
  const side = options.side ?? bundle.side
  if (side !== bundle.side)
    throw new Stop(
      `this is the ${bundle.side} bundle (${bundle.name}); to install the ${side} side use the ${side} bundle, or run: node install.js ${bundle.side} ...`,
      2
    )
  if (options.command === 'token' && side !== 'cloud')
    throw new Stop('token runs on the cloud (it mints the token with keadm gettoken there)', 2)
  options.side = side
  const delta = deltaInstallRefusal(bundle)
  if (delta && (options.command === 'cloud' || options.command === 'edge')) throw new Stop(delta, 2)
  return { bundle, trust }
}

function plan(ctx: Context, out: Output, trust: TrustKey | undefined): Record<string, unknown> {
  const { host, bundle } = ctx
  const steps = stepsFor(ctx)
  out.line(`plan for ${bundle.name} (${bundle.side}) on ${host.path('/')}; nothing is changed:`)
  for (const [i, step] of steps.entries()) {
    out.line(`[${i + 1}] ${step.name}: ${step.title}`)
    for (const p of step.plan) out.line(`      ${host.mask(p)}`)
  }
  const shown = steps.map(s => ({
    step: s.name,
    title: s.title,
    commands: s.plan.map(p => host.mask(p))
  }))
  out.line(
    `bundle: SHA256SUMS lists every file, each a regular file${trust ? `; its signature verified with ${trust.source}` : ''}. plan hashed only ${BUNDLE_META}; \`${bundle.side}\` checks the sha256 of every file before it changes anything`
  )
  return { ok: true, plan: shown, hashed: [BUNDLE_META] }
}

/** PASS/FAIL lines with hints, then the count; the result for --json. */
function report(checks: Check[], out: Output, indent: string): Record<string, unknown> {
  for (const c of checks)
    out.line(
      `${indent}${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}${c.ok ? '' : `\n${indent}      hint: ${c.hint}`}`
    )
  const passed = checks.filter(c => c.ok).length
  const failed = checks.length - passed
  out.line(`${indent}${passed} passed, ${failed} failed`)
  return { ok: failed === 0, passed, failed, checks }
}

/** The edge refuses an expired token (exit 2), naming the cloud command for a fresh one. */
function checkToken(ctx: Context): void {
  const { options, host } = ctx
  if (!options.token || loadState(host).steps['keadm-join']) return
  const exp = tokenExpiry(options.token)
  if (exp && exp.getTime() <= Date.now())
    throw new Stop(
      `the edge token ${options.joinFile ? `in ${options.joinFile} ` : ''}${timeLeft(exp)} (at ${rfc3339(exp)}): on the cloud run \`sudo ./install.sh token\`, copy the new ${JOIN_FILE} here, and run again with --join-file`,
      2
    )
}

async function prompts(ctx: Context, out: Output): Promise<void> {
  const { bundle, options } = ctx
  if (bundle.side === 'cloud' && process.stdin.isTTY && !options.yes && !options.json)
    await askCloud(options, out)
}

/** Prompts (on a TTY), token expiry, preflight, the steps, verify, then a summary. */
async function installSide(
  ctx: Context,
  out: Output,
  logFile: string
): Promise<Record<string, unknown>> {
  const { host, bundle, options } = ctx
  await prompts(ctx, out)
  if (bundle.side === 'edge') checkToken(ctx)
  const { problems, warnings } = await preflight(host, bundle, options, loadState(host))
  for (const w of warnings) out.line(`warning: ${w}`)
  if (problems.length > 0)
    throw new Stop(`the host is not ready; nothing was changed:\n  ${problems.join('\n  ')}`, 1)
  out.line(`installing ${bundle.name} (${bundle.side}); full log: ${logFile}`)
  host.log(`kedge install.js ${options.command} on node ${process.version} (${process.execPath})`)
  const started = Date.now()
  let steps: Array<Record<string, unknown>>
  try {
    steps = await install(ctx, out)
  } catch (err) {
    const message = host.mask(err instanceof Error ? err.message : String(err))
    throw new Stop(
      `${message}\nthe log has every command and its output: ${logFile}; fix the cause and run the same command again (finished steps are skipped)`,
      1
    )
  }
  out.line('verifying:')
  const result = report(await runChecks(host, bundle, options), out, '  ')
  const seconds = Math.round((Date.now() - started) / 1000)
  const ran = steps.filter(s => s.status === 'ok').length
  out.line(
    `summary: ${steps.length} steps (${ran} run, ${steps.length - ran} done before) in ${seconds} s; ${String(result.passed)} checks passed, ${String(result.failed)} failed; log: ${logFile}`
  )
  const next = nextSteps(ctx)
  out.line('next:')
  for (const l of next) out.line(l)
  return {
    ...result,
    side: bundle.side,
    steps,
    seconds,
    edgemesh: edgemeshOn(ctx),
    logFile,
    ...(bundle.side === 'cloud' ? joinInfo(ctx) : {})
  }
}

function joinInfo(ctx: Context): Record<string, unknown> {
  const { host } = ctx
  return { joinFile: host.path(JOIN_FILE) }
}

function nextSteps(ctx: Context): string[] {
  const { host, bundle } = ctx
  if (bundle.side === 'edge')
    return [
      '  on the cloud: kubectl get nodes (this node Ready after a minute); here: sudo ./install.sh verify'
    ]
  const text = host.exists(JOIN_FILE) ? host.read(JOIN_FILE) : ''
  const expires = /^expires=(.+)$/m.exec(text)?.[1]
  return handoffLines(host.path(JOIN_FILE), expires)
}

/** token: a fresh token in the join file, for the address and EdgeMesh choice installed. */
async function token(ctx: Context, out: Output): Promise<Record<string, unknown>> {
  const { host, options } = ctx
  const state = loadState(host)
  const cloudcore =
    state.cloudcore ??
    (options.advertiseAddress[0] ? `${options.advertiseAddress[0]}:10000` : undefined)
  if (!state.steps['keadm-init'] || !cloudcore)
    throw new Stop(
      `no cloud install here (${host.path('/var/lib/kedge/state.json')}): run ./install.sh cloud first`,
      1
    )
  const edgemesh = state.edgemesh ?? edgemeshOn(ctx)
  options.kubeconfig ??= state.kubeconfig
  const { joinFile, expires } = await writeJoinFile(ctx, cloudKubeconfig(ctx), cloudcore, edgemesh)
  out.line(`a fresh edge token is in the join file`)
  for (const l of handoffLines(joinFile, expires)) out.line(l)
  return { ok: true, joinFile, expires: expires ?? null }
}

async function uninstallSide(ctx: Context, out: Output): Promise<Record<string, unknown>> {
  const { options, bundle } = ctx
  // --dry-run changes nothing: no confirmation needed.
  if (!options.yes && !options.dryRun) {
    if (!process.stdin.isTTY || options.json)
      throw new Stop('uninstall changes the host: confirm with --yes (no terminal to ask on)', 2)
    if (!(await confirmUninstall(bundle.side)))
      throw new Stop('uninstall not confirmed; nothing was changed', 1)
  }
  return { ok: true, undone: await uninstall(ctx, out) }
}

async function run(options: Options, out: Output): Promise<Record<string, unknown>> {
  const { bundle, trust } = await loadBundle(options)
  const logFile =
    options.logFile ??
    `${options.root && options.root !== '/' ? options.root : ''}/var/log/kubeedge-${bundle.side}-install.log`
  // Plan and --dry-run change nothing, not even the log.
  const host = new Host(
    options.root,
    options.command === 'plan' || options.dryRun ? undefined : logFile
  )
  if (options.token) host.addSecret(options.token)
  const ctx: Context = {
    host,
    bundle,
    options,
    say: line => {
      out.line(host.mask(line))
    }
  }
  if (options.command === 'plan') return plan(ctx, out, trust)
  if (options.command === 'verify')
    return { side: bundle.side, ...report(await runChecks(host, bundle, options), out, '') }
  if (options.command === 'uninstall') return uninstallSide(ctx, out)
  if (options.command === 'token') return token(ctx, out)
  if (options.command === 'upgrade') {
    const code = await upgradeCommand(ctx, out, logFile)
    if (code !== 'verify') return { ok: code === 0, side: bundle.side }
    out.line('verifying:')
    return { side: bundle.side, ...report(await runChecks(host, bundle, options), out, '  ') }
  }
  return installSide(ctx, out, logFile)
}

/** Writes to stdout; once the reader has gone (EPIPE: `plan | head`), output stops quietly. */
function stdoutWriter(): (s: string) => void {
  let closed = false
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
    closed = true
  })
  return s => {
    if (!closed) process.stdout.write(s)
  }
}

export async function main(
  argv: string[],
  write: (s: string) => void = stdoutWriter()
): Promise<number> {
  const json = argv.includes('--json')
  const command = argv[0] ?? ''
  const finish = (code: number, result: Record<string, unknown>) => {
    if (json)
      write(`${JSON.stringify({ command, ...result, ok: code === 0 && result.ok !== false })}\n`)
    return code
  }
  let options: Options
  try {
    const parsed = parseOptions(argv)
    if ('help' in parsed) {
      write(`${parsed.help}\n`)
      return 0
    }
    options = parsed
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`install.js: ${err.message}\n(see node install.js --help)\n`)
    return finish(2, { ok: false, error: err.message })
  }
  const out = output(options.json, write)
  try {
    const result = await run(options, out)
    return finish(result.ok === false ? 1 : 0, result)
  } catch (err) {
    if (err instanceof Interrupted) {
      process.stderr.write(`\ninstall.js: ${err.message}\n`)
      return finish(130, { ok: false, error: err.message })
    }
    if (!(err instanceof Stop) && !(err instanceof UsageError)) throw err
    const code = err instanceof Stop ? err.code : 2
    process.stderr.write(`install.js: ${err.message}\n`)
    return finish(code, { ok: false, error: err.message })
  }
}
