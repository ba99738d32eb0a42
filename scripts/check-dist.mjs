#!/usr/bin/env node
// Rebuilds into a temporary directory and fails, with a diff, when the committed dist/
// (or --dist DIR) differs from a fresh build.
//   node scripts/check-dist.mjs [--dist DIR] [--skip-typecheck]
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const distArg = args.indexOf('--dist')
const committed = resolve(distArg >= 0 ? (args[distArg + 1] ?? 'dist') : join(repo, 'dist'))

const work = await mkdtemp(join(tmpdir(), 'kedge-check-dist-'))
const fresh = join(work, 'dist')
try {
  const buildArgs = [join(repo, 'scripts', 'build.mjs'), '--out', fresh]
  if (args.includes('--skip-typecheck')) buildArgs.push('--skip-typecheck')
  execFileSync(process.execPath, buildArgs, { stdio: ['ignore', 'ignore', 'inherit'] })
  // A missing dist/ compares as an empty one (no entries yet), without creating it.
  const against = existsSync(committed) ? committed : await mkdtemp(join(work, 'empty-'))
  const brief = spawnSync('diff', ['-rq', against, fresh], { encoding: 'utf8' })
  if (brief.status === 0) {
    console.log(`check-dist: ${committed} matches a fresh build`)
  } else {
    console.error(`check-dist: ${committed} differs from a fresh build:`)
    console.error(brief.stdout.replaceAll(fresh, '<fresh build>'))
    const full = spawnSync('diff', ['-ru', against, fresh], { encoding: 'utf8' })
    const lines = full.stdout.split('\n')
    console.error(lines.slice(0, 60).join('\n'))
    if (lines.length > 60) console.error(`... (${lines.length - 60} more diff lines)`)
    console.error('check-dist: run `npm run build` and commit dist/.')
    process.exitCode = 1
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
