/**
 * Runs a built action (dist/<name>/index.js) the way the GitHub runner does: inputs as
 * INPUT_* environment variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './repo.js'

export interface ActionRun {
  code: number | null
  stdout: string
  outputs: Record<string, string>
  summary: string
}

/** Parses the `name<<DELIMITER\nvalue\nDELIMITER` records of a GITHUB_OUTPUT file. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!m?.[1] || !m[2]) continue
    const value: string[] = []
    for (i += 1; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] ?? '')
    outputs[m[1]] = value.join('\n')
  }
  return outputs
}

/**
 * Runs dist/<name>/index.js in `options.cwd` (default: this process's). Its RUNNER_TEMP,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY live in a kedge-action-* folder, removed after.
 */
export async function runAction(
  name: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  options: { cwd?: string } = {}
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'kedge-action-'))
  try {
    return await runIn(dir, name, inputs, env, options.cwd)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function runIn(
  dir: string,
  name: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
  cwd: string | undefined
): Promise<ActionRun> {
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v])
  )
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', name, 'index.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...inputEnv,
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {})
  })
  let stdout = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stdout += c.toString()))
  const code = await new Promise<number | null>(r => child.on('exit', r))
  return {
    code,
    stdout,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8')
  }
}
