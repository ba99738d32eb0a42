#!/usr/bin/env node
// Type-checks the workspace (tsc -b), then bundles every entry of entries.mjs with ncc into
// dist/<name>/. The new tree is written beside the target and renamed into place, so an
// interrupted build never leaves a half-written dist/.
//   node scripts/build.mjs [--out DIR] [--skip-typecheck]
import { execFileSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundle } from './bundle.mjs'
import { entries } from './entries.mjs'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const outArg = args.indexOf('--out')
const out = resolve(outArg >= 0 ? (args[outArg + 1] ?? 'dist') : join(repo, 'dist'))
const bin = name => join(repo, 'node_modules', '.bin', name)

function sh(cmd, cmdArgs) {
  execFileSync(cmd, cmdArgs, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] })
}

if (!args.includes('--skip-typecheck')) {
  sh(bin('tsc'), ['-b'])
}

await mkdir(dirname(out), { recursive: true })
const staging = await mkdtemp(`${out}.tmp-`)
try {
  for (const entry of entries) {
    const source = join(repo, entry.source)
    try {
      await stat(source)
    } catch {
      throw new Error(`build: entry ${entry.name}: ${entry.source} is missing; did tsc -b run?`)
    }
    await bundle(entry, source, join(staging, entry.name))
    console.log(`build: dist/${entry.name}/${entry.file}`)
  }
  await rm(out, { recursive: true, force: true })
  await rename(staging, out)
  await chmod(out, 0o755)
} catch (err) {
  await rm(staging, { recursive: true, force: true })
  throw err
}
if (entries.length === 0) console.log('build: no action entries yet; dist/ is empty')
