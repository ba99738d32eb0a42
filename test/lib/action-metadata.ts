/**
 * Checks action.yml files: the keys GitHub needs, a `main` that resolves to a built file,
 * and a description for every input and output. Used by the metadata test over every
 * action.yml in the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { load } from 'js-yaml'

const RUNTIME = 'node24'

/** The root action.yml and every <dir>/action.yml one level below the root. */
export function findActionFiles(root: string): string[] {
  const found: string[] = []
  if (existsSync(join(root, 'action.yml'))) found.push(join(root, 'action.yml'))
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue
    const file = join(root, name, 'action.yml')
    if (statSync(join(root, name)).isDirectory() && existsSync(file)) found.push(file)
  }
  return found
}

type Dict = Record<string, unknown>
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): boolean => typeof v === 'string' && v.trim() !== ''

/** Returns the problems of one action.yml; an empty list means it is sound. */
export function checkActionFile(file: string, repoRoot: string): string[] {
  const where = relative(repoRoot, file)
  let doc: unknown
  try {
    doc = load(readFileSync(file, 'utf8'))
  } catch (err) {
    return [`${where}: not valid YAML: ${(err as Error).message}`]
  }
  if (!isDict(doc)) return [`${where}: not a mapping`]
  const problems: string[] = []
  for (const key of ['name', 'description']) {
    if (!text(doc[key])) problems.push(`${where}: '${key}' is missing or empty`)
  }
  const runs = doc.runs
  if (!isDict(runs)) {
    problems.push(`${where}: 'runs' is missing`)
  } else if (runs.using === 'composite') {
    if (!Array.isArray(runs.steps) || runs.steps.length === 0) {
      problems.push(`${where}: a composite action needs 'runs.steps'`)
    }
  } else {
    if (runs.using !== RUNTIME) {
      problems.push(`${where}: runs.using is ${JSON.stringify(runs.using)}, expected '${RUNTIME}'`)
    }
    if (!text(runs.main)) {
      problems.push(`${where}: 'runs.main' is missing`)
    } else {
      const main = resolve(dirname(file), String(runs.main))
      const rel = relative(repoRoot, main)
      if (!rel.startsWith('dist/')) {
        problems.push(`${where}: runs.main ${String(runs.main)} is not under dist/`)
      } else if (!existsSync(main)) {
        problems.push(`${where}: runs.main ${String(runs.main)} does not exist (npm run build)`)
      }
    }
  }
  for (const section of ['inputs', 'outputs'] as const) {
    const entries = doc[section]
    if (entries === undefined) continue
    if (!isDict(entries)) {
      problems.push(`${where}: '${section}' is not a mapping`)
      continue
    }
    for (const [name, spec] of Object.entries(entries)) {
      if (!isDict(spec) || !text(spec.description)) {
        problems.push(`${where}: ${section}.${name} has no description`)
      }
    }
  }
  return problems
}
