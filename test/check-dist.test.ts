/**
 * check-dist really fails when dist/ is stale: it runs the script (a real ncc build into a
 * temporary directory) against a copy of a fresh build, then against altered copies.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { appendFileSync, cpSync, existsSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { removeDir, tempDir } from './bed/proc.js'

const repoRoot = resolve(import.meta.dirname, '..')
const script = (name: string) => join(repoRoot, 'scripts', name)

function checkDist(dist: string) {
  const res = spawnSync(
    process.execPath,
    [script('check-dist.mjs'), '--dist', dist, '--skip-typecheck'],
    { encoding: 'utf8' }
  )
  return { status: res.status, output: res.stdout + res.stderr }
}

describe('npm run check-dist', () => {
  let dir: string
  let fresh: string
  beforeAll(async () => {
    dir = await tempDir('check-dist')
    fresh = join(dir, 'fresh')
    const build = spawnSync(
      process.execPath,
      [script('build.mjs'), '--out', fresh, '--skip-typecheck'],
      { encoding: 'utf8' }
    )
    expect(build.status).toBe(0)
  })
  afterAll(async () => {
    await removeDir(dir)
  })

  const copy = (name: string) => {
    const target = join(dir, name)
    cpSync(fresh, target, { recursive: true })
    return target
  }

  test('passes on an up-to-date dist/', () => {
    const result = checkDist(copy('same'))
    expect(result.output).toContain('matches a fresh build')
    expect(result.status).toBe(0)
  })

  test('fails, naming the file, when dist/ holds a stale file', () => {
    const stale = copy('stale')
    writeFileSync(join(stale, 'removed-action.js'), 'old\n')
    const result = checkDist(stale)
    expect(result.status).toBe(1)
    expect(result.output).toContain('removed-action.js')
    expect(result.output).toContain('run `npm run build` and commit dist/')
  })

  test('fails when a built file was edited or deleted', () => {
    const bundle = join('fetch-images', 'index.js')
    expect(existsSync(join(fresh, bundle))).toBe(true)
    const edited = copy('edited')
    appendFileSync(join(edited, bundle), '// hand edit\n')
    const result = checkDist(edited)
    expect(result.status).toBe(1)
    expect(result.output).toContain('fetch-images/index.js')
    expect(result.output).toContain('// hand edit')

    const missing = copy('missing')
    rmSync(join(missing, bundle))
    expect(checkDist(missing).status).toBe(1)
  })
})
