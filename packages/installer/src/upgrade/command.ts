/** The `upgrade` command for cli.ts: plan, refusals (exit 1), the run, verify after it. */
import { deltaSection } from '@kedge/bundle/delta-check'
import type { BundleInfo } from '../bundle.js'
import type { Output } from '../output.js'
import type { Context } from '../steps/common.js'
import { rollback } from './rollback.js'
import { prepareUpgrade, printPlan, runUpgrade, UpgradeRefused } from './run.js'

/** A delta bundle cannot install a host: it lacks what its base carried. Null for a full one. */
export function deltaInstallRefusal(bundle: BundleInfo): string | null {
  const delta = deltaSection(bundle)
  if (!delta) return null
  return `${bundle.name} is a delta bundle: it upgrades a host that runs ${delta.base.name} (node install.js upgrade), and cannot install one; to install, use the full bundle ${delta.target.name}.tar.gz`
}

/** Runs upgrade or upgrade --rollback; returns the exit code, or 'verify' to run the checks. */
export async function upgradeCommand(
  ctx: Context,
  out: Output,
  logFile: string
): Promise<number | 'verify'> {
  const { host, options } = ctx
  const fail = (err: unknown, hint: string): number => {
    const message = host.mask(err instanceof Error ? err.message : String(err))
    process.stderr.write(
      `install.js: ${message}${err instanceof UpgradeRefused ? '\nnothing was changed' : `\n${hint}`}\n`
    )
    out.event({ error: message })
    return 1
  }
  host.log(
    `kedge install.js upgrade${options.rollback ? ' --rollback' : ''} from ${ctx.bundle.name}`
  )
  if (options.rollback) {
    try {
      await rollback(ctx, out)
      out.line(`run verify from the bundle rolled back to (its install.js verify)`)
      return 0
    } catch (err) {
      return fail(err, `the log has every command and its output: ${logFile}`)
    }
  }
  let upgrade
  try {
    upgrade = await prepareUpgrade(ctx)
  } catch (err) {
    return fail(err, '')
  }
  if (!upgrade) {
    out.line(`this host already runs ${ctx.bundle.name}: nothing to upgrade`)
    return 0
  }
  printPlan(upgrade, out)
  if (options.dryRun) return 0
  out.line(`upgrading; full log: ${logFile}`)
  try {
    await runUpgrade(upgrade, out)
  } catch (err) {
    return fail(
      err,
      `the log has every command and its output: ${logFile}; fix the cause and run upgrade again (finished steps are skipped), or node install.js upgrade --rollback`
    )
  }
  return 'verify'
}
