/**
 * install.js as an operator meets it, on FAKE HOSTS (keadm, helm, k3s: the RECORDING STUB
 * from the bundle; systemctl, ip, sudo: STUBS on PATH): prompts on a real pseudo-terminal
 * (util-linux `script`), --help per command, plan without the join flags, --json on every
 * command, uninstall's confirmation, and a reader that goes away (EPIPE).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as bed from '../bed/index.js'
import {
  buildBundles,
  fakeHost,
  runInstaller,
  snapshot,
  type Bundles,
  type FakeHost
} from './fixture.js'

const lastJson = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>

/**
 * Runs install.js on a pseudo-terminal; each answer is typed once its prompt has shown.
 * Returns everything the terminal showed and the exit code.
 */
async function onTty(
  bundleDir: string,
  args: string[],
  env: Record<string, string>,
  answers: Array<[prompt: string, keys: string]>
): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, join(bundleDir, 'install.js'), ...args]
    .map(a => `'${a}'`)
    .join(' ')
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...process.env, KEDGE_WAIT_SECONDS: '10', ...env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let screen = ''
  let next = 0
  let seen = 0
  const onData = (c: Buffer) => {
    screen += c.toString()
    while (next < answers.length) {
      const [prompt, keys] = answers[next] ?? ['', '']
      const at = screen.indexOf(prompt, seen)
      if (at < 0) break
      seen = at + prompt.length
      next++
      child.stdin.write(keys)
    }
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const code = await new Promise<number | null>(r => child.on('exit', r))
  child.stdin.destroy()
  return { code, screen: screen.replace(/\r/g, '') }
}

describe('install.js on a terminal and in scripts (stubs from the bundle)', () => {
  let registry: bed.Registry
  let server: bed.FileServer
  let work: string
  let bundles: Bundles
  const cloud = (host: FakeHost, extra: string[] = []) => [
    'cloud',
    '--root',
    host.root,
    '--advertise-address',
    '192.0.2.10',
    '--node-name',
    'cloud-1',
    ...extra
  ]

  beforeAll(async () => {
    work = await bed.tempDir('install-cli')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    registry = await bed.startRegistry()
    server = await bed.startFileServer()
    bundles = await buildBundles(await bed.bedSpec(server, registry), work)
  })
  afterAll(async () => {
    await server.stop()
    await registry.stop()
    await bed.removeDir(work)
  })

  test('prompts on a TTY: a typo and an unknown answer are asked again; the answers hold', async () => {
    const host = fakeHost(work)
    const run = await onTty(bundles.cloud, cloud(host), host.stubs.env, [
      ['Advertise address for edge nodes [192.0.2.10]: ', '192.0.2.1O\r'],
      ['Advertise address for edge nodes [192.0.2.10]: ', '192.0.2.11\r'],
      ['Install EdgeMesh? [Y/n]: ', 'sure\r'],
      ['Install EdgeMesh? [Y/n]: ', 'n\r']
    ])
    expect(run.screen).toContain('"192.0.2.1O" is not an IP address; try again')
    expect(run.screen).toContain('please answer y or n (got "sure")')
    expect(run.screen).toContain('advertise address 192.0.2.11; EdgeMesh no')
    expect(run.code).toBe(0)
    const calls = host.stubs.calls().map(c => `${c.tool} ${c.args.join(' ')}`)
    expect(calls.find(c => c.startsWith('keadm init'))).toContain('--advertise-address=192.0.2.11')
    expect(calls.some(c => c.startsWith('helm upgrade'))).toBe(false)
  })

  test('Ctrl-D and Ctrl-C at a prompt: one line, exit 130, nothing changed', async () => {
    for (const key of ['\x04', '\x03']) {
      const host = fakeHost(work)
      const before = snapshot(host.root)
      const run = await onTty(bundles.cloud, cloud(host), host.stubs.env, [
        ['Advertise address for edge nodes [192.0.2.10]: ', key]
      ])
      expect(run.code).toBe(130)
      expect(run.screen).toContain('install.js: interrupted at a prompt; nothing was changed')
      expect(run.screen).not.toMatch(/\n\s+at /) // no stack trace
      expect(snapshot(host.root)).toEqual(before)
    }
  })

  test('uninstall asks on a TTY (y or n), and without a TTY needs --yes', async () => {
    const host = fakeHost(work)
    expect((await runInstaller(bundles.cloud, cloud(host, ['--yes']), host.stubs.env)).code).toBe(0)
    const before = snapshot(host.root)
    const asked = await onTty(bundles.cloud, ['uninstall', '--root', host.root], host.stubs.env, [
      ['Uninstall? [y/N]: ', 'perhaps\r'],
      ['Uninstall? [y/N]: ', 'n\r']
    ])
    expect(asked.screen).toContain('This removes CloudCore, EdgeMesh and k3s')
    expect(asked.screen).toContain('please answer y or n (got "perhaps")')
    expect(asked.code).toBe(1)
    const scripted = await runInstaller(
      bundles.cloud,
      ['uninstall', '--root', host.root, '--json'],
      host.stubs.env
    )
    expect(scripted.code).toBe(2)
    expect(scripted.stderr).toContain('confirm with --yes')
    expect(lastJson(scripted.stdout)).toMatchObject({ command: 'uninstall', ok: false })
    expect(snapshot(host.root)).toEqual(before)
  })

  test('--json: every command ends with one JSON object holding command and ok', async () => {
    const host = fakeHost(work)
    const env = host.stubs.env
    const installed = await runInstaller(bundles.cloud, cloud(host, ['--yes', '--json']), env)
    expect(installed.code).toBe(0)
    const result = lastJson(installed.stdout)
    expect(result).toMatchObject({ command: 'cloud', ok: true, side: 'cloud', failed: 0 })
    expect(result.joinFile).toBe(join(host.root, 'var/lib/kedge/edge-join.txt'))
    const cases: Array<[string[], number, Record<string, unknown>]> = [
      [['plan', '--root', host.root, '--json'], 0, { command: 'plan', ok: true }],
      [['verify', '--root', host.root, '--json'], 0, { command: 'verify', ok: true }],
      [['token', '--root', host.root, '--json'], 0, { command: 'token', ok: true }],
      [['verify', '--bogus', '--json'], 2, { command: 'verify', ok: false }],
      [['uninstall', '--root', host.root, '--yes', '--json'], 0, { command: 'uninstall', ok: true }]
    ]
    for (const [args, code, shape] of cases) {
      const run = await runInstaller(bundles.cloud, args, env)
      expect([args.join(' '), run.code]).toEqual([args.join(' '), code])
      expect(lastJson(run.stdout)).toMatchObject(shape)
    }
  })

  test('each command has its own --help; plan on an edge bundle needs no join flags', async () => {
    for (const [command, words] of [
      ['plan', 'usage: node install.js plan'],
      ['verify', 'usage: node install.js verify'],
      ['uninstall', 'usage: node install.js uninstall'],
      ['token', 'usage: node install.js token']
    ] as const) {
      const run = await runInstaller(bundles.edge, [command, '--help'], {})
      expect(run.code).toBe(0)
      expect(run.stdout.split('\n')[0]).toContain(words)
    }
    const host = fakeHost(work)
    const plan = await runInstaller(bundles.edge, ['plan', '--root', host.root], host.stubs.env)
    expect(plan.stderr).toBe('')
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain(
      'keadm join --kubeedge-version=v1.22.2 --cloudcore-ipport=<cloud-ip>:10000'
    )
    expect(plan.stdout).toContain('--token=<token>')
  })

  test('plan can start no process: node:child_process, node:http and node:readline are never loaded', async () => {
    const host = fakeHost(work)
    const list = join(work, 'plan-modules.txt')
    const preload = join(work, 'module-list.cjs')
    writeFileSync(
      preload,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')))\n`
    )
    const plan = await runInstaller(bundles.edge, ['plan', '--root', host.root], {
      ...host.stubs.env,
      NODE_OPTIONS: `--require ${preload}`
    })
    expect(plan.stderr).toBe('')
    expect(plan.code).toBe(0)
    const loaded = readFileSync(list, 'utf8').split('\n')
    expect(loaded).toContain('NativeModule fs') // the list is node's own
    for (const name of ['child_process', 'http', 'readline'])
      expect(loaded).not.toContain(`NativeModule ${name}`)
    expect(host.stubs.calls()).toEqual([])
    // The same hook sees verify, which runs commands, load it (the check above can fail).
    const verify = await runInstaller(bundles.edge, ['verify', '--root', host.root], {
      ...host.stubs.env,
      NODE_OPTIONS: `--require ${preload}`
    })
    expect(verify.code).toBe(1)
    expect(readFileSync(list, 'utf8').split('\n')).toContain('NativeModule child_process')
  })

  test('a reader that goes away (install.sh plan | head): no EPIPE crash', async () => {
    const host = fakeHost(work)
    const child = spawn(
      process.execPath,
      [
        join(bundles.cloud, 'install.js'),
        'plan',
        '--root',
        host.root,
        '--advertise-address',
        '192.0.2.10'
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    child.stdout.destroy() // the reader is gone before the first line
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const code = await new Promise<number | null>(r => child.on('exit', r))
    expect(stderr).toBe('')
    expect(code).toBe(0)
  })
})
