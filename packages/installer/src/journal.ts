/**
 * The journal: completed steps with a hash of their inputs, in /var/lib/kedge/state.json
 * (under --root). A re-run skips a finished step whose inputs (and those of every step
 * before it) are unchanged, so it resumes after a crash and re-runs what changed.
 * Written ahead: a step is journaled as started before it runs, and every host path kedge
 * writes (and every directory it creates) is journaled before the write, with a backup of
 * a file that was there before. So a crash anywhere leaves a journal that names everything
 * kedge may have changed, a re-run never backs up kedge's own file, and uninstall restores
 * the operator's files and removes only kedge's.
 */
import { createHash } from 'node:crypto'
import type { Host } from './host.js'

export const KEDGE_STATE_DIR = '/var/lib/kedge'
export const STATE_FILE = `${KEDGE_STATE_DIR}/state.json`

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
  /** The step running now, or when a run was killed: recorded before it runs. */
  started?: { name: string; hash: string; at: string }
  /** Every host path kedge wrote or was about to write, in order (recorded before the write). */
  written?: string[]
  /** Of those, the ones that existed before kedge's first write: kept as <path>.kedge.bak. */
  backedUp?: string[]
  /** The directories kedge created, outermost first. */
  dirs?: string[]
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

function addDirs(state: State, dirs: string[]): void {
  const known = (state.dirs ??= [])
  for (const d of dirs) if (!known.includes(d)) known.push(d)
}

export function saveState(host: Host, state: State): void {
  addDirs(state, host.missingDirs(STATE_FILE))
  host.writeUntracked(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`)
}

/**
 * Journals every write before it happens: the directories it creates, the path, and (the
 * first time kedge writes a path that exists) a backup of the operator's file.
 */
export function journalWrites(host: Host, state: State): void {
  host.setGuard((p, newDirs) => {
    const written = (state.written ??= [])
    if (written.includes(p) && newDirs.every(d => state.dirs?.includes(d))) return
    addDirs(state, newDirs)
    if (!written.includes(p)) {
      // Under /var/lib/kedge everything is kedge's own (a token or PSK kept from before).
      if (host.lexists(p) && !p.startsWith(`${KEDGE_STATE_DIR}/`)) {
        host.keepOriginal(p)
        ;(state.backedUp ??= []).push(p)
      }
      written.push(p)
    }
    saveState(host, state)
    // Crash tests only: SIGKILL between the journal entry and the write itself.
    if (process.env.KEDGE_KILL_AT === `write:${p}`) process.kill(process.pid, 'SIGKILL')
  })
}

/**
 * Crash tests only: KEDGE_KILL_AT=<step>:start|end SIGKILLs this process right after the
 * step is journaled as started, or right after it ran (before it is journaled as finished).
 * Install (runner.ts) and upgrade (upgrade/journal.ts) both honour it.
 */
export function crashPoint(step: string, point: 'start' | 'end'): void {
  if (process.env.KEDGE_KILL_AT === `${step}:${point}`) process.kill(process.pid, 'SIGKILL')
}

/** A step's hash: its own inputs chained to the hash of the step before it. */
export function stepHash(previous: string, inputs: unknown): string {
  return createHash('sha256').update(previous).update(JSON.stringify(inputs)).digest('hex')
}
