/**
 * install-scripts/: the files every bundle ships. install.sh is linted with shellcheck and
 * run under dash and busybox sh (real shells), with node from PATH and with the runtime
 * tarball. The runtime tarball here holds a SIMULATED bin/node (a shell script that prints
 * its arguments): what is under test is how install.sh finds and starts it.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { installSh } from '@kedge/bundle'
import * as bed from '../bed/index.js'
import { repoRoot } from '../lib/repo.js'

const SCRIPTS = join(repoRoot(), 'install-scripts')
const SHELLS = [
  ['dash', ['/usr/bin/dash']],
  ['busybox sh', ['/usr/bin/busybox', 'sh']]
] as const

describe('install-scripts/install.sh', () => {
  let work: string
  beforeAll(async () => {
    work = await bed.tempDir('install-sh')
  })
  afterAll(async () => {
    await bed.removeDir(work)
  })

  /** A bundle directory with install.sh, an install.js that prints its argv, and a runtime. */
  const bundle = (name: string, withInstaller = true) => {
    const dir = join(work, name)
    mkdirSync(join(dir, 'runtime', 'pkg', 'node-v20-linux', 'bin'), { recursive: true })
    writeFileSync(join(dir, 'install.sh'), installSh('node-v20-linux.tar.gz'), { mode: 0o755 })
    if (withInstaller)
      writeFileSync(
        join(dir, 'install.js'),
        'console.log("install.js", process.argv.slice(2).join(" "))\n'
      )
    const fake = join(dir, 'runtime', 'pkg', 'node-v20-linux', 'bin', 'node')
    writeFileSync(fake, '#!/bin/sh\necho "bundled node $*"\n')
    chmodSync(fake, 0o755)
    spawnSync('tar', [
      '-czf',
      join(dir, 'runtime', 'node-v20-linux.tar.gz'),
      '-C',
      join(dir, 'runtime', 'pkg'),
      '.'
    ])
    return dir
  }

  /** A PATH with only the tools install.sh uses, and no node. */
  const pathWithoutNode = () => {
    const bin = join(work, 'no-node-bin')
    mkdirSync(bin, { recursive: true })
    for (const tool of ['dirname', 'mktemp', 'tar', 'gzip', 'find', 'head', 'rm', 'getconf']) {
      try {
        symlinkSync(`/usr/bin/${tool}`, join(bin, tool))
      } catch {
        // linked by an earlier test
      }
    }
    return bin
  }

  test('shellcheck finds nothing (POSIX sh)', () => {
    const run = spawnSync('shellcheck', ['--shell=sh', join(SCRIPTS, 'install.sh')], {
      encoding: 'utf8'
    })
    expect(run.stdout + run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  test('the build ships install-scripts/ beside the package-bundle action', () => {
    for (const file of ['install.sh', 'README.cloud.txt', 'README.edge.txt']) {
      expect(readFileSync(join(repoRoot(), 'dist', 'package-bundle', file), 'utf8')).toBe(
        readFileSync(join(SCRIPTS, file), 'utf8')
      )
    }
    expect(installSh('node-x.tar.gz')).toContain('runtime="$here/runtime/node-x.tar.gz"')
    expect(installSh('node-x.tar.gz')).not.toContain('@NODE_TARBALL@')
  })

  for (const [label, shell] of SHELLS) {
    test(`${label}: node >= 18 from PATH runs install.js with the arguments`, () => {
      const dir = bundle(`path-${label.replace(' ', '-')}`)
      const run = spawnSync(
        shell[0],
        [...shell.slice(1), join(dir, 'install.sh'), 'plan', '--json'],
        {
          encoding: 'utf8'
        }
      )
      expect(run.stderr).toBe('')
      expect(run.stdout).toBe('install.js plan --json\n')
      expect(run.status).toBe(0)
    })

    test(`${label}: without node on PATH, the bundled runtime (simulated bin/node) runs it`, () => {
      const dir = bundle(`runtime-${label.replace(' ', '-')}`)
      const run = spawnSync(shell[0], [...shell.slice(1), join(dir, 'install.sh'), 'verify'], {
        encoding: 'utf8',
        env: { PATH: pathWithoutNode(), TMPDIR: work }
      })
      expect(run.stderr).toBe('')
      expect(run.stdout).toBe(`bundled node ${join(dir, 'install.js')} verify\n`)
      expect(run.status).toBe(0)
    })

    test(`${label}: /usr/local/bin joins PATH for what keadm spawns (sudo's secure_path drops it)`, () => {
      const dir = bundle(`path-local-${label.replace(' ', '-')}`)
      writeFileSync(join(dir, 'install.js'), 'console.log(process.env.PATH)\n')
      const nodeBin = join(work, `node-bin-${label.replace(' ', '-')}`)
      mkdirSync(nodeBin, { recursive: true })
      symlinkSync(process.execPath, join(nodeBin, 'node'))
      const path = `${nodeBin}:${pathWithoutNode()}`
      const run = spawnSync(shell[0], [...shell.slice(1), join(dir, 'install.sh'), 'plan'], {
        encoding: 'utf8',
        env: { PATH: path }
      })
      expect(run.stderr).toBe('')
      expect(run.stdout).toBe(`${path}:/usr/local/bin\n`)
    })

    test(`${label}: glibc older than 2.28, or none: exit 2 with the host's glibc and the supported OS list (simulated getconf)`, () => {
      const dir = bundle(`glibc-${label.replace(' ', '-')}`)
      for (const [answer, expected] of [
        ['glibc 2.17', 'this host has glibc 2.17.'],
        ['', 'this host has no glibc (musl?).']
      ] as const) {
        // A host tool stand-in: getconf as an EL7 (glibc 2.17) or a musl host answers it.
        const bin = join(work, `getconf-${label.replace(' ', '-')}-${answer.length}`)
        mkdirSync(bin, { recursive: true })
        writeFileSync(
          join(bin, 'getconf'),
          answer ? `#!/bin/sh\necho '${answer}'\n` : '#!/bin/sh\nexit 1\n',
          { mode: 0o755 }
        )
        const tools = pathWithoutNode()
        const run = spawnSync(shell[0], [...shell.slice(1), join(dir, 'install.sh'), 'plan'], {
          encoding: 'utf8',
          env: { PATH: `${bin}:${tools}`, TMPDIR: work }
        })
        expect(run.stderr).toContain('the bundled Node.js needs glibc >= 2.28')
        expect(run.stderr).toContain(expected)
        expect(run.stderr).toContain('supported: Debian 10+, Ubuntu 20.04+')
        expect(run.stdout).toBe('')
        expect(run.status).toBe(2)
      }
    })

    test(`${label}: a bundle without install.js stops with exit 2 and says so`, () => {
      const dir = bundle(`none-${label.replace(' ', '-')}`, false)
      const run = spawnSync(shell[0], [...shell.slice(1), join(dir, 'install.sh'), 'plan'], {
        encoding: 'utf8'
      })
      expect(run.stderr).toContain('install.js is missing')
      expect(run.status).toBe(2)
    })
  }
})
