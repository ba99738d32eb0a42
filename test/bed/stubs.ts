/**
 * RECORDING STUBS (stubs/cluster-stub.cjs) for the tools a real host has itself and that
 * cannot run here: systemctl, ip and sudo, in a bin directory to put first on PATH; the
 * calls every stub recorded (also keadm, helm and k3s, which travel inside the stand-in
 * release assets and reach the host only when the installer installs them), and their state.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../lib/repo.js'

export const STUBBED_TOOLS = ['systemctl', 'ip', 'sudo'] as const

export interface StubCall {
  tool: string
  args: string[]
}

export interface Stubs {
  bin: string
  env: Record<string, string>
  calls(): StubCall[]
  state(): Record<string, unknown>
  setState(state: Record<string, unknown>): void
}

/** Stub bin directory in `dir`; the tools write their files under `root`. */
export function makeStubs(dir: string, root: string): Stubs {
  const bin = join(dir, 'stub-bin')
  mkdirSync(bin, { recursive: true })
  const script = join(repoRoot(), 'test', 'bed', 'stubs', 'cluster-stub.cjs')
  for (const tool of STUBBED_TOOLS) {
    if (!existsSync(join(bin, tool))) symlinkSync(script, join(bin, tool))
  }
  const log = join(dir, 'stub-calls.jsonl')
  const stateFile = join(dir, 'stub-state.json')
  writeFileSync(log, '')
  return {
    bin,
    env: {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      KEDGE_STUB_LOG: log,
      KEDGE_STUB_STATE: stateFile,
      KEDGE_STUB_ROOT: root
    },
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(l => JSON.parse(l) as StubCall),
    state: () =>
      existsSync(stateFile)
        ? (JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>)
        : {},
    setState: s => {
      writeFileSync(stateFile, JSON.stringify(s))
    }
  }
}
