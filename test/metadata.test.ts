/** action.yml checks: every action.yml in the repository, and the checker on fixtures. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { checkActionFile, findActionFiles } from './lib/action-metadata.js'
import { removeDir, tempDir } from './bed/proc.js'

const repoRoot = resolve(import.meta.dirname, '..')

describe('action.yml files in this repository', () => {
  const files = findActionFiles(repoRoot)
  test('every action.yml present has the required keys, a built main and described inputs', () => {
    const problems = files.flatMap(f => checkActionFile(f, repoRoot))
    expect(problems).toEqual([])
  })
})

describe('the action.yml checker (fixtures)', () => {
  let root: string
  const write = (rel: string, body: string) => {
    const file = join(root, rel)
    mkdirSync(join(file, '..'), { recursive: true })
    writeFileSync(file, body)
    return file
  }
  beforeAll(async () => {
    root = await tempDir('actions')
    write('dist/good/index.js', 'export {}\n')
  })
  afterAll(async () => {
    await removeDir(root)
  })

  test('accepts a sound sub-directory action (the actions/cache restore/ pattern)', () => {
    const file = write(
      'good/action.yml',
      [
        'name: Good',
        'description: Does a thing',
        'inputs:',
        '  images:',
        '    description: The images',
        'outputs:',
        '  archive:',
        '    description: The archive',
        'runs:',
        '  using: node24',
        '  main: ../dist/good/index.js',
        ''
      ].join('\n')
    )
    expect(checkActionFile(file, root)).toEqual([])
    expect(findActionFiles(root)).toEqual([file])
  })

  test('names each missing piece', () => {
    const file = write(
      'bad/action.yml',
      [
        'name: Bad',
        'inputs:',
        '  images: {}',
        'outputs:',
        '  count:',
        '    value: 1',
        'runs:',
        '  using: node20',
        '  main: ../dist/bad/index.js',
        ''
      ].join('\n')
    )
    expect(checkActionFile(file, root)).toEqual([
      "bad/action.yml: 'description' is missing or empty",
      `bad/action.yml: runs.using is "node20", expected 'node24'`,
      'bad/action.yml: runs.main ../dist/bad/index.js does not exist (npm run build)',
      'bad/action.yml: inputs.images has no description',
      'bad/action.yml: outputs.count has no description'
    ])
  })

  test('refuses a main outside dist/ and YAML that does not parse', () => {
    const outside = write(
      'odd/action.yml',
      'name: Odd\ndescription: x\nruns:\n  using: node24\n  main: index.js\n'
    )
    expect(checkActionFile(outside, root)).toEqual([
      'odd/action.yml: runs.main index.js is not under dist/'
    ])
    const broken = write('broken/action.yml', 'name: [unclosed\n')
    expect(checkActionFile(broken, root)[0]).toMatch(/^broken\/action.yml: not valid YAML/)
  })
})
