/** action.yml checks: every action.yml in the repository, and the checker on fixtures. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve, sep } from 'node:path'
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

describe('built bundles', () => {
  test('every chunk a dist/ bundle loads is shipped beside it', () => {
    // ncc loads a lazy chunk as __nccwpck_require__.e(/* import() */ 584) -> 584.index.js.
    const dist = resolve(repoRoot, 'dist')
    const chunks: string[] = []
    for (const name of readdirSync(dist)) {
      const dir = join(dist, name)
      for (const file of readdirSync(dir).filter(f => f.endsWith('.js'))) {
        const code = readFileSync(join(dir, file), 'utf8')
        for (const m of code.matchAll(/__nccwpck_require__\.e\(\/\* import\(\) \*\/ (\d+)\)/g)) {
          chunks.push(join(name, `${m[1] ?? ''}.index.js`))
        }
      }
    }
    // package-bundle loads @actions/artifact lazily, so there is at least that chunk.
    expect(chunks.some(c => c.startsWith(`package-bundle${sep}`))).toBe(true)
    expect(chunks.filter(c => !existsSync(join(dist, c)))).toEqual([])
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

describe('generated docs and release notes', () => {
  test('docs/actions.md matches the action.yml files (npm run docs)', () => {
    const check = spawnSync(
      process.execPath,
      [join(repoRoot, 'scripts', 'action-docs.mjs'), '--check'],
      { encoding: 'utf8' }
    )
    expect(check.stderr).toBe('')
    expect(check.status).toBe(0)
    const docs = readFileSync(join(repoRoot, 'docs', 'actions.md'), 'utf8')
    for (const uses of [
      'org/kedge@v1',
      'org/kedge/fetch-images@v1',
      'org/kedge/fetch-crds@v1',
      'org/kedge/package-bundle@v1'
    ]) {
      expect(docs).toContain(`## \`${uses}\``)
    }
    expect(docs).toContain('| `images-file` | no |')
  })

  test('release notes list the versions and every image digest from bundle.json', async () => {
    const dir = await tempDir('notes')
    try {
      const bundle = (name: string, arch: string) => ({
        name,
        side: 'edge',
        arch,
        versions: { kubeedge: 'v1.22.0', edgemesh: 'v1.17.0' },
        images: [
          {
            name: 'docker.io/kubeedge/pause:3.6',
            manifestDigest: `sha256:${arch === 'amd64' ? 'a' : 'b'}${'0'.repeat(63)}`
          }
        ],
        warnings: ['a warning']
      })
      writeFileSync(
        join(dir, 'a.bundle.json'),
        JSON.stringify(bundle('kubeedge-edge-1.22.0-arm64', 'arm64'))
      )
      writeFileSync(
        join(dir, 'b.bundle.json'),
        JSON.stringify(bundle('kubeedge-edge-1.22.0-amd64', 'amd64'))
      )
      const notes = spawnSync(
        process.execPath,
        [
          join(repoRoot, 'scripts', 'release-notes.mjs'),
          join(dir, 'a.bundle.json'),
          join(dir, 'b.bundle.json')
        ],
        { encoding: 'utf8' }
      )
      expect(notes.status).toBe(0)
      expect(notes.stdout).toContain('| kubeedge | v1.22.0 |')
      expect(notes.stdout.indexOf('### kubeedge-edge-1.22.0-amd64.tar.gz')).toBeLessThan(
        notes.stdout.indexOf('### kubeedge-edge-1.22.0-arm64.tar.gz')
      )
      expect(notes.stdout).toContain(
        `| docker.io/kubeedge/pause:3.6 | \`sha256:b${'0'.repeat(63)}\` |`
      )
      expect(notes.stdout).toContain('- a warning')
    } finally {
      await removeDir(dir)
    }
  })
})
