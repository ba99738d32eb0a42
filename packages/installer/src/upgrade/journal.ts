/**
 * The upgrade's journal, /var/lib/kedge/upgrade.json: from which bundle to which, where the
 * backup is, and the finished steps with the hash of their inputs (as install's journal),
 * so a re-run resumes and `upgrade --rollback` knows what to undo.
 */
import type { Host } from '../host.js'
import { crashPoint, stepHash, type StepRecord } from '../journal.js'
import type { Output } from '../output.js'
import type { Step } from '../steps/common.js'

export const UPGRADE_FILE = '/var/lib/kedge/upgrade.json'

export interface UpgradeState {
  from: string
  to: string
  backup: string
  finishedAt?: string
  /** Steps that began (a failed step began too): rollback undoes each. */
  started?: string[]
  steps: Record<string, StepRecord>
}

export function loadUpgrade(host: Host): UpgradeState | null {
  if (!host.exists(UPGRADE_FILE)) return null
  try {
    return JSON.parse(host.read(UPGRADE_FILE)) as UpgradeState
  } catch {
    throw new Error(`${host.path(UPGRADE_FILE)} is not valid JSON; move it away to start over`)
  }
}

export function saveUpgrade(host: Host, state: UpgradeState): void {
  host.write(UPGRADE_FILE, `${JSON.stringify(state, null, 2)}\n`, 0o600)
}

/**
 * Runs the steps; a finished step with the same chained hash is skipped (resume). A step that
 * began in a killed run gets its recover() first, as install's do (runner.ts).
 */
export async function runUpgradeSteps(
  host: Host,
  state: UpgradeState,
  steps: Step[],
  out: Output
): Promise<void> {
  let previous = ''
  for (const [i, step] of steps.entries()) {
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
    // Began before and not finished (a killed run), or finished with other inputs.
    const cutShort = (state.started ?? []).includes(step.name) && !state.steps[step.name]
    const changed = state.steps[step.name] !== undefined
    state.started = [...new Set([...(state.started ?? []), step.name])]
    saveUpgrade(host, state)
    crashPoint(step.name, 'start')
    if ((cutShort || changed) && step.recover) await step.recover(cutShort)
    const started = Date.now()
    host.takeTouched()
    await step.run()
    crashPoint(step.name, 'end')
    const seconds = (Date.now() - started) / 1000
    const files = host.takeTouched()
    state.steps[step.name] = { hash, finishedAt: new Date().toISOString(), seconds, files }
    saveUpgrade(host, state)
    out.line(`${label}: ok (${seconds.toFixed(1)} s)`)
    out.event({ step: step.name, status: 'ok', seconds })
    if (process.env.KEDGE_FAIL_AFTER === step.name) {
      out.line(`KEDGE_FAIL_AFTER=${step.name}: stopping here, as asked (crash test)`)
      process.exit(1)
    }
  }
}
