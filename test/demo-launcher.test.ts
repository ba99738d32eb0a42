/** npm run demo's launcher: --help answers at once, before any tool install or build. */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from './lib/repo.js'

describe('npm run demo -- --help', () => {
  test.each([['--help'], ['-h']])('%s prints the options and exits 0 at once', flag => {
    const started = Date.now()
    const run = spawnSync(process.execPath, [join(repoRoot(), 'scripts', 'demo.mjs'), flag], {
      encoding: 'utf8',
      // No PATH: had it gone on to ensure-tools.sh or the build, bash and tsc would be missing.
      env: {}
    })
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/^usage: npm run demo -- \[--out DIR\]/)
    expect(run.stdout).toContain('--no-install')
    expect(Date.now() - started).toBeLessThan(5000)
  })

  test('the package.json script runs the launcher (no build first)', async () => {
    const { readFileSync } = await import('node:fs')
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(pkg.scripts.demo).toBe('node scripts/demo.mjs')
    expect(pkg.scripts.predemo).toBeUndefined()
  })
})
