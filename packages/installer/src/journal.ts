/**
 * The journal: completed steps with a hash of their inputs, in /var/lib/kedge/state.json
 * (under --root). A re-run skips a finished step whose inputs (and those of every step
 * before it) are unchanged, so it resumes after a crash and re-runs what changed.
 */
import { createHash } from 'node:crypto'
import type { Host } from './host.js'

export const STATE_FILE = '/var/lib/kedge/state.json'

export interface StepRecord {
  hash: string
  finishedAt: string
  seconds: number
  /** Host paths the step wrote (uninstall restores or removes them). */
  files: string[]
}

export interface State {
  side?: string
  bundle?: string
  /** Whether EdgeMesh was installed (verify checks only what was). */
  edgemesh?: boolean
  /** The cloud: the CloudCore address the join file names (token rewrites it). */
  cloudcore?: string
  /** The cloud: --kubeconfig of an existing cluster (token uses it again). */
  kubeconfig?: string
  steps: Record<string, StepRecord>
}

export function loadState(host: Host): State {
  if (!host.exists(STATE_FILE)) return { steps: {} }
  try {
    const parsed = JSON.parse(host.read(STATE_FILE)) as State
    return { ...parsed, steps: parsed.steps }
  } catch {
    throw new Error(`${host.path(STATE_FILE)} is not valid JSON; move it away to start over`)
  }
}

export function saveState(host: Host, state: State): void {
  host.write(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`, 0o600)
}

/** A step's hash: its own inputs chained to the hash of the step before it. */
export function stepHash(previous: string, inputs: unknown): string {
  return createHash('sha256').update(previous).update(JSON.stringify(inputs)).digest('hex')
}
