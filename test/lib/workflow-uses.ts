/** Checks a workflow's local actions: every `uses: ./…` exists, every `with:` key is an input. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { load } from 'js-yaml'

interface Step {
  uses?: string
  with?: Record<string, unknown>
}

export function checkLocalUses(workflow: string, shownAs: string, repoRoot: string): string[] {
  const doc = load(workflow) as { jobs?: Record<string, { steps?: Step[] }> } | null
  const problems: string[] = []
  for (const [job, spec] of Object.entries(doc?.jobs ?? {})) {
    for (const [i, step] of (spec.steps ?? []).entries()) {
      if (!step.uses?.startsWith('./')) continue
      const where = `${shownAs}: jobs.${job}.steps[${i}] uses ${step.uses}`
      const file = join(repoRoot, step.uses, 'action.yml')
      if (!existsSync(file)) {
        problems.push(`${where}: no action.yml there`)
        continue
      }
      const action = load(readFileSync(file, 'utf8')) as {
        inputs?: Record<string, { required?: boolean; default?: unknown }>
      }
      const inputs = action.inputs ?? {}
      for (const key of Object.keys(step.with ?? {})) {
        if (!(key in inputs))
          problems.push(
            `${where}: "${key}" is not an input (inputs: ${Object.keys(inputs).join(', ')})`
          )
      }
      for (const [name, input] of Object.entries(inputs)) {
        if (input.required && input.default === undefined && !(name in (step.with ?? {}))) {
          problems.push(`${where}: the required input "${name}" is missing`)
        }
      }
    }
  }
  return problems
}
