/**
 * `install.js upgrade`: from the new bundle, on a host an older kedge bundle installed.
 * Reads what the install recorded, refuses a downgrade, a skipped minor or a delta whose
 * base this host lacks, prints the plan, then runs the side's upgrade steps under their
 * journal and records the new bundle. `upgrade --rollback` undoes it.
 */
import {
  deltaRefusal,
  deltaSection,
  missingBaseBlobs,
  parseContentList
} from '@kedge/bundle/delta-check'
import { crashPoint, loadState, saveState } from '../journal.js'
import type { Output } from '../output.js'
import { placed, type Context } from '../steps/common.js'
import { backupDir } from './backup.js'
import { cloudUpgradeSteps } from './cloud.js'
import type { Upgrade } from './context.js'
import { ctr, edgeUpgradeSteps } from './edge.js'
import { loadUpgrade, runUpgradeSteps, saveUpgrade, type UpgradeState } from './journal.js'
import { planChanges, planLines, planRefusal } from './plan.js'
import { readInstalled, recordInstall, type Installed } from './record.js'
import { identity, installedName } from './versions.js'

export class UpgradeRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UpgradeRefused'
  }
}

/** The installed record, or a refusal naming what to do. */
export function requireInstalled(ctx: Context): Installed {
  const installed = readInstalled(ctx.host)
  if (installed) return installed
  const state = loadState(ctx.host)
  throw new UpgradeRefused(
    state.bundle
      ? `this host runs ${state.bundle} but has no ${ctx.host.path('/var/lib/kedge/bundle.json')} (an install by a kedge older than upgrade support): copy that bundle's meta/bundle.json there, then run upgrade again`
      : `no kedge bundle is installed on this host (${ctx.host.path('/var/lib/kedge/state.json')} is absent): install with node install.js ${ctx.bundle.side}`
  )
}

/** For a delta: the host must run its base, and containerd must still hold the left-out blobs. */
async function checkDelta(u: Upgrade): Promise<void> {
  if (!u.delta) return
  const { host } = u.ctx
  const from = identity(u.installed.bundle, u.installed.sha256)
  const [c, a] =
    u.ctx.bundle.side === 'edge'
      ? ctr(u.ctx, ['content', 'ls', '-q'])
      : [placed(host, 'k3s'), ['ctr', '-n', 'k8s.io', 'content', 'ls', '-q']]
  const present = parseContentList((await host.run(c, a, { allowFailure: true })).stdout)
  const sameBase = from.name === u.delta.base.name && from.sha256 === u.delta.base.bundleJsonSha256
  const refusal = deltaRefusal(
    u.delta,
    sameBase
      ? from.name
      : `${from.name}${from.name === u.delta.base.name ? ' (a different build: its bundle.json differs)' : ''}`,
    missingBaseBlobs(u.delta, present)
  )
  if (refusal) throw new UpgradeRefused(refusal)
}

/** Builds the upgrade, or throws UpgradeRefused. Null when there is nothing to do. */
export async function prepareUpgrade(ctx: Context): Promise<Upgrade | null> {
  const to = identity(ctx.bundle, '').name
  const journal = loadUpgrade(ctx.host)
  const resuming = journal && !journal.finishedAt && journal.to === to
  // A run killed after it recorded the new bundle: the backup holds the record of before.
  const installed =
    (resuming ? readInstalled(ctx.host, `${journal.backup}/files`) : null) ?? requireInstalled(ctx)
  Object.assign(ctx.options, installed.options)
  if (installedName(installed) === to && !resuming) return null
  const from = installed.bundle
  const refusal = planRefusal(from, ctx.bundle)
  if (refusal) throw new UpgradeRefused(refusal)
  const u: Upgrade = {
    ctx,
    installed,
    changes: planChanges(from, ctx.bundle),
    delta: deltaSection(ctx.bundle),
    backup: resuming ? journal.backup : backupDir(installedName(installed))
  }
  if (!resuming) await checkDelta(u)
  return u
}

export const upgradeSteps = (u: Upgrade) =>
  u.ctx.bundle.side === 'cloud' ? cloudUpgradeSteps(u) : edgeUpgradeSteps(u)

/** Prints the plan; with --dry-run also the steps. Returns the steps. */
export function printPlan(u: Upgrade, out: Output): ReturnType<typeof upgradeSteps> {
  const steps = upgradeSteps(u)
  for (const line of planLines(u.installed.bundle, u.ctx.bundle)) out.line(line)
  if (u.delta)
    out.line(
      `  (a delta from ${u.delta.base.name}: this host runs it, and containerd holds its ${u.delta.omittedBlobs.length} left-out blobs)`
    )
  out.event({
    upgrade: {
      from: installedName(u.installed),
      to: identity(u.ctx.bundle, '').name,
      changes: u.changes
    }
  })
  if (u.ctx.options.dryRun) {
    for (const [i, step] of steps.entries()) {
      out.line(`[${i + 1}] ${step.name}: ${step.title}`)
      for (const p of step.plan) out.line(`      ${u.ctx.host.mask(p)}`)
    }
  }
  return steps
}

/** Runs the steps under the upgrade journal, then records the new bundle as installed. */
export async function runUpgrade(u: Upgrade, out: Output): Promise<void> {
  const { host, bundle, options } = u.ctx
  const to = identity(bundle, '').name
  const previous = loadUpgrade(host)
  const state: UpgradeState =
    previous && !previous.finishedAt && previous.to === to
      ? previous
      : { from: installedName(u.installed), to, backup: u.backup, steps: {} }
  saveUpgrade(host, state)
  await runUpgradeSteps(host, state, upgradeSteps(u), out)
  recordInstall(host, bundle, options)
  crashPoint('upgrade-record', 'end')
  const main = loadState(host)
  main.bundle = to
  saveState(host, main)
  state.finishedAt = new Date().toISOString()
  saveUpgrade(host, state)
  out.line(
    `upgraded ${state.from} -> ${to}; node install.js upgrade --rollback returns to ${state.from}`
  )
}
