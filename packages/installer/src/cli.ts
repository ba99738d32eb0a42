/**
 * install.js: the offline KubeEdge installer. See options.ts for the command line.
 * Order of business: parse and validate (exit 2), verify the bundle against SHA256SUMS
 * (exit 2), check the host (exit 1, nothing changed), then run the side's steps under the
 * journal, and verify.
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BundleError, verifyBundle, type BundleInfo } from './bundle.js'
import { Host } from './host.js'
import { loadState } from './journal.js'
import { parseOptions, UsageError, type Options } from './options.js'
import { output, type Output } from './output.js'
import { preflight } from './preflight.js'
import { askCloud } from './prompts.js'
import { install, stepsFor, uninstall } from './runner.js'
import type { Context } from './steps/index.js'
import { deltaInstallRefusal, upgradeCommand } from './upgrade/command.js'
import { runChecks, type Check } from './verify.js'

/** Parses argv: the options, or an exit code after printing help or a usage error. */
function parse(argv: string[], write: (s: string) => void): Options | number {
  try {
    const parsed = parseOptions(argv)
    if ('help' in parsed) {
      write(`${parsed.help}\n`)
      return 0
    }
    return parsed
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`install.js: ${err.message}\n(see node install.js --help)\n`)
      return 2
    }
    throw err
  }
}

/** The bundle beside install.js (or --bundle), checked, and of the side asked for. */
async function loadBundle(options: Options): Promise<BundleInfo | number> {
  const bundleDir = options.bundleDir ?? dirname(fileURLToPath(import.meta.url))
  let bundle: BundleInfo
  try {
    bundle = await verifyBundle(bundleDir)
  } catch (err) {
    if (err instanceof BundleError) {
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
  const delta = deltaInstallRefusal(bundle)
  if (delta && (options.command === 'cloud' || options.command === 'edge')) {
    process.stderr.write(`install.js: ${delta}\n`)
    return 2
  }
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
  return bundle
}

function plan(ctx: Context, out: Output): number {
  const { host, bundle } = ctx
  const steps = stepsFor(ctx)
  out.line(`plan for ${bundle.name} (${bundle.side}) on ${host.path('/')}; nothing is changed:`)
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

function report(checks: Check[], out: Output, indent: string, hint: (c: Check) => string): number {
  for (const c of checks)
    out.line(`${indent}${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}${c.ok ? '' : hint(c)}`)
  out.event({ checks })
  return checks.every(c => c.ok) ? 0 : 1
}

/** Prompts (on a TTY), preflight, the steps, then verify. */
async function installSide(ctx: Context, out: Output, logFile: string): Promise<number> {
  const { host, bundle, options } = ctx
  if (bundle.side === 'cloud' && process.stdin.isTTY && !options.yes && !options.json) {
    try {
      await askCloud(options, out)
    } catch (err) {
      if (!(err instanceof UsageError)) throw err
      process.stderr.write(`install.js: ${err.message}\n`)
      return 2
    }
  }
  const problems = await preflight(host, bundle, options, loadState(host))
  if (problems.length > 0) {
    process.stderr.write(
      `install.js: the host is not ready; nothing was changed:\n  ${problems.join('\n  ')}\n`
    )
    out.event({ preflight: problems })
    return 1
  }
  out.line(`installing ${bundle.name} (${bundle.side}); full log: ${logFile}`)
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
  return report(await runChecks(host, bundle, options), out, '  ', c => `  (hint: ${c.hint})`)
}

export async function main(
  argv: string[],
  write: (s: string) => void = s => process.stdout.write(s)
): Promise<number> {
  const options = parse(argv, write)
  if (typeof options === 'number') return options
  const out = output(options.json, write)
  const bundle = await loadBundle(options)
  if (typeof bundle === 'number') return bundle
  const side = bundle.side
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
  if (options.command === 'plan') return plan(ctx, out)
  if (options.command === 'verify')
    return report(await runChecks(host, bundle, options), out, '', c => `\n      hint: ${c.hint}`)
  if (options.command === 'uninstall') {
    await uninstall(ctx, out)
    return 0
  }
  if (options.command === 'upgrade') {
    const code = await upgradeCommand(ctx, out, logFile)
    if (code !== 'verify') return code
    out.line('verifying:')
    return report(await runChecks(host, bundle, options), out, '  ', c => `  (hint: ${c.hint})`)
  }
  return installSide(ctx, out, logFile)
}
