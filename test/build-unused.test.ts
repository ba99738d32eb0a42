/**
 * scripts/bundle.mjs leaves out a package an entry lists as `unused` (@actions/http-client
 * and @actions/exec, for fetch-images) and refuses to when the bundle uses any export of it. Real ncc builds of
 * two small entries in a temporary directory beside the repository's node_modules.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { removeDir } from './bed/proc.js'

const repoRoot = resolve(import.meta.dirname, '..')

interface Entry {
  name: string
  source: string
  file: string
  unused?: string[]
}
type Bundle = (entry: Entry, source: string, target: string) => Promise<void>

describe('build: packages an entry never uses are left out, and checked', () => {
  // Inside the repository, so that ncc resolves @actions/* from its node_modules.
  const dir = join(repoRoot, '.tmp', `build-unused-${process.pid}`)
  let bundle: Bundle
  const fixture = (name: string, code: string, unused = ['undici']) => {
    const source = join(dir, `${name}.mjs`)
    writeFileSync(source, code)
    return { entry: { name, source, file: 'index.js', unused }, source }
  }
  /** The bundle in `out`, run with input who=kedge, logs the greeting and nothing else. */
  const expectGreets = (out: string) => {
    const run = spawnSync(process.execPath, [join(out, 'index.js')], {
      encoding: 'utf8',
      cwd: '/',
      env: { PATH: process.env.PATH, INPUT_WHO: 'kedge' }
    })
    expect(run.stderr).toBe('')
    expect(run.stdout).toBe('hello kedge\n')
  }
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true })
    const mod = (await import(pathToFileURL(join(repoRoot, 'scripts', 'bundle.mjs')).href)) as {
      bundle: Bundle
    }
    bundle = mod.bundle
  })
  afterAll(async () => {
    await removeDir(dir)
  })

  test('an action that only logs through @actions/core ships without undici, and runs', async () => {
    const { entry, source } = fixture(
      'logs',
      "import * as core from '@actions/core'\ncore.info(`hello ${core.getInput('who')}`)\n"
    )
    const out = join(dir, 'out-logs')
    await bundle(entry, source, out)
    const code = readFileSync(join(out, 'index.js'), 'utf8')
    expect(code).not.toContain('llhttp')
    expect(readFileSync(join(out, 'unused-undici.mjs'), 'utf8')).toContain('export {}')
    expectGreets(out)
  }, 120_000)

  test('an action that uses undici (a proxy dispatcher) is refused, naming the entry', async () => {
    const { entry, source } = fixture(
      'proxy',
      "import { HttpClient } from '@actions/http-client'\nconsole.log(new HttpClient('x').getAgentDispatcher('https://example.invalid'))\n"
    )
    const out = join(dir, 'out-proxy')
    await expect(bundle(entry, source, out)).rejects.toThrow(
      'build: entry proxy: undici is listed as unused, but the bundle uses its exports'
    )
    expect(existsSync(join(out, 'index.js'))).toBe(false)
  }, 120_000)

  test('a scoped package (@actions/http-client) is left out under a flat stand-in name, and the action runs', async () => {
    const { entry, source } = fixture(
      'scoped',
      "import * as core from '@actions/core'\ncore.info(`hello ${core.getInput('who')}`)\n",
      ['@actions/http-client', '@actions/exec']
    )
    const out = join(dir, 'out-scoped')
    await bundle(entry, source, out)
    const code = readFileSync(join(out, 'index.js'), 'utf8')
    expect(code).not.toContain('getAgentDispatcher')
    expect(readFileSync(join(out, 'unused-@actions+http-client.mjs'), 'utf8')).toContain(
      'export {}'
    )
    expect(existsSync(join(out, 'unused-@actions+exec.mjs'))).toBe(true)
    expectGreets(out)
  }, 120_000)

  test('an action that asks for an OIDC token is refused when @actions/http-client is left out', async () => {
    const { entry, source } = fixture(
      'oidc',
      "import * as core from '@actions/core'\nconsole.log(await core.getIDToken('kedge'))\n",
      ['@actions/http-client']
    )
    const out = join(dir, 'out-oidc')
    await expect(bundle(entry, source, out)).rejects.toThrow(
      'build: entry oidc: @actions/http-client is listed as unused, but the bundle uses its exports'
    )
    expect(existsSync(join(out, 'index.js'))).toBe(false)
  }, 120_000)
})
