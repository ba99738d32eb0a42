/**
 * The kedge.kubeedge collection passes Debian's ansible-lint (6.13, production profile,
 * offline; config in ansible/.ansible-lint) and ansible-playbook --syntax-check.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import * as bed from '../bed/index.js'
import { repoRoot } from '../lib/repo.js'

describe('kedge.kubeedge lint', () => {
  let work: string
  let env: Record<string, string>

  beforeAll(async () => {
    work = await bed.tempDir('ansible-lint')
    mkdirSync(join(work, 'ansible_collections', 'kedge'), { recursive: true })
    symlinkSync(join(repoRoot(), 'ansible'), join(work, 'ansible_collections', 'kedge', 'kubeedge'))
    env = {
      ...(process.env as Record<string, string>),
      ANSIBLE_COLLECTIONS_PATH: work,
      ANSIBLE_HOME: join(work, 'home'),
      ANSIBLE_LOCAL_TEMP: join(work, 'home', 'tmp'),
      XDG_CACHE_HOME: join(work, 'cache'),
      NO_COLOR: '1'
    }
  })
  afterAll(async () => {
    await bed.removeDir(work)
  })

  test('ansible-lint (production profile) passes', () => {
    const lint = spawnSync('ansible-lint', ['--nocolor'], {
      cwd: join(repoRoot(), 'ansible'),
      env,
      encoding: 'utf8'
    })
    // 6.13 (Debian 12): "Passed with production profile: 0 failure(s), 0 warning(s)";
    // later releases: "Passed: 0 failure(s), 0 warning(s) ... profile ... was 'production'".
    const said = lint.stdout + lint.stderr
    expect(said).toMatch(/Passed[^\n]*: 0 failure\(s\), 0 warning\(s\)/)
    expect(said).toMatch(/production/)
    expect(lint.status).toBe(0)
  })

  test('every playbook passes ansible-playbook --syntax-check', () => {
    for (const playbook of ['site', 'verify', 'uninstall']) {
      const check = spawnSync(
        'ansible-playbook',
        ['--syntax-check', '-i', 'localhost,', `kedge.kubeedge.${playbook}`],
        { env, encoding: 'utf8' }
      )
      expect(check.stderr).not.toMatch(/ERROR/)
      expect(check.status).toBe(0)
    }
  })
})
