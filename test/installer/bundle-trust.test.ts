/**
 * The installer's bundle checks, on SMALL HAND-MADE BUNDLES (SHA256SUMS, meta/bundle.json
 * and a few files; no images or binaries, as the plan command needs none): non-regular
 * files, the signature against keys made here by the REAL openssl, and the values of
 * bundle.json that reach a shell, TOML or YAML. main() runs in this process; its return is
 * install.js's exit code.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { main, verifyBundle } from '@kedge/installer'
import * as bed from '../bed/index.js'
import { describeTree } from '../lib/tree.js'

const BUNDLE_JSON = {
  schemaVersion: 1,
  name: 'kubeedge-cloud-1.22.0-k3s-1.34.2+k3s1-amd64',
  side: 'cloud',
  arch: 'amd64',
  versions: {
    kubeedge: 'v1.22.0',
    edgemesh: 'v1.17.0',
    k3s: 'v1.34.2+k3s1',
    containerd: '1.7.29',
    runc: 'v1.3.3',
    node: 'v24.11.0'
  },
  mosquitto: {
    enabled: true,
    image: 'eclipse-mosquitto:1.6.15',
    repository: 'eclipse-mosquitto',
    tag: '1.6.15'
  },
  edgemesh: { enabled: true },
  sandboxImage: 'kubeedge/pause:3.6',
  images: [
    {
      name: 'docker.io/kubeedge/cloudcore:v1.22.0',
      manifestDigest: `sha256:${'1'.repeat(64)}`,
      size: 10
    }
  ]
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex')

function listRegular(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap(e => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name
    if (e.isDirectory()) return listRegular(dir, rel)
    return e.isFile() && rel !== 'SHA256SUMS' && rel !== 'SHA256SUMS.sig' ? [rel] : []
  })
}

/** (Re)writes SHA256SUMS over every regular file, as a builder (or an attacker) would. */
function writeSums(dir: string): void {
  const lines = listRegular(dir)
    .sort()
    .map(f => `${sha(readFileSync(join(dir, f)))}  ${f}`)
  writeFileSync(join(dir, 'SHA256SUMS'), `${lines.join('\n')}\n`)
}

let made = 0
function makeBundle(work: string, values: Record<string, unknown> = BUNDLE_JSON): string {
  const dir = join(work, `bundle-${++made}`)
  mkdirSync(join(dir, 'meta'), { recursive: true })
  mkdirSync(join(dir, 'bin'), { recursive: true })
  writeFileSync(join(dir, 'install.js'), '// stand-in\n')
  writeFileSync(join(dir, 'bin', 'keadm'), 'stand-in keadm\n')
  writeFileSync(join(dir, 'meta', 'bundle.json'), `${JSON.stringify(values, null, 2)}\n`)
  writeSums(dir)
  return dir
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** install.js plan (cloud) on `root`, in this process; stderr captured. */
async function plan(bundle: string, root: string, extra: string[] = []): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const original = process.stderr.write.bind(process.stderr)
  process.stderr.write = (chunk: string) => {
    stderr += chunk
    return true
  }
  try {
    const code = await main(
      [
        'plan',
        '--side',
        'cloud',
        '--bundle',
        bundle,
        '--root',
        root,
        '--advertise-address',
        '192.0.2.10',
        ...extra
      ],
      s => (stdout += s)
    )
    return { code, stdout, stderr }
  } finally {
    process.stderr.write = original
  }
}

describe('bundle file checks, signature and values (hand-made bundles, real openssl)', () => {
  let work: string
  let root: string
  let before: Record<string, string>
  const keys: Record<string, string> = {}

  beforeAll(async () => {
    work = await bed.tempDir('bundle-trust')
    root = join(work, 'root')
    mkdirSync(join(root, 'etc'), { recursive: true })
    writeFileSync(join(root, 'etc', 'hostname'), 'site-1\n')
    before = describeTree(root)
    for (const [name, args] of [
      ['ec', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']],
      ['ed', ['-algorithm', 'ed25519']],
      ['other', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']]
    ] as const) {
      const key = join(work, `${name}.key.pem`)
      openssl(['genpkey', ...args, '-out', key])
      openssl(['pkey', '-in', key, '-pubout', '-out', join(work, `${name}.pub.pem`)])
      keys[name] = key
    }
    const rsa = join(work, 'rsa.key.pem')
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', rsa])
    openssl(['pkey', '-in', rsa, '-pubout', '-out', join(work, 'rsa.pub.pem')])
  })
  afterAll(async () => {
    await bed.removeDir(work)
  })

  const signEc = (dir: string, key = keys.ec ?? ''): void => {
    openssl([
      'dgst',
      '-sha256',
      '-sign',
      key,
      '-out',
      join(dir, 'SHA256SUMS.sig'),
      join(dir, 'SHA256SUMS')
    ])
  }
  const signEd = (dir: string): void => {
    openssl([
      'pkeyutl',
      '-sign',
      '-rawin',
      '-inkey',
      keys.ed ?? '',
      '-in',
      join(dir, 'SHA256SUMS'),
      '-out',
      join(dir, 'SHA256SUMS.sig')
    ])
  }

  test('a clean hand-made bundle plans (the checks below fail for their own reason)', async () => {
    const run = await plan(makeBundle(work), root)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(describeTree(root)).toEqual(before)
  })

  test.each([
    [
      'a directory where a listed file belongs',
      'bin/keadm: a directory, not a regular file',
      (d: string) => {
        rmSync(join(d, 'bin', 'keadm'))
        mkdirSync(join(d, 'bin', 'keadm'))
      }
    ],
    [
      'a FIFO where a listed file belongs (would hang)',
      'bin/keadm: a FIFO; a bundle holds only regular files',
      (d: string) => {
        rmSync(join(d, 'bin', 'keadm'))
        execFileSync('mkfifo', [join(d, 'bin', 'keadm')])
      }
    ],
    [
      'an unlisted FIFO',
      'extra: a FIFO; a bundle holds only regular files',
      (d: string) => {
        execFileSync('mkfifo', [join(d, 'extra')])
      }
    ],
    [
      'a link loop',
      'loop: a symbolic link; a bundle holds only regular files',
      (d: string) => {
        symlinkSync('loop', join(d, 'loop'))
      }
    ],
    [
      'a symlink to a file outside, listed with the right sum',
      'bin/keadm: a symbolic link; a bundle holds only regular files',
      (d: string) => {
        const outside = join(d, '..', `outside-${made}`)
        writeFileSync(outside, readFileSync(join(d, 'bin', 'keadm')))
        rmSync(join(d, 'bin', 'keadm'))
        symlinkSync(outside, join(d, 'bin', 'keadm'))
      }
    ],
    [
      'a symlinked directory, its files listed with the right sums',
      'bin: a symbolic link; a bundle holds only regular files',
      (d: string) => {
        const outside = join(d, '..', `outside-dir-${made}`)
        mkdirSync(outside)
        writeFileSync(join(outside, 'keadm'), readFileSync(join(d, 'bin', 'keadm')))
        rmSync(join(d, 'bin'), { recursive: true })
        symlinkSync(outside, join(d, 'bin'))
      }
    ],
    [
      'SHA256SUMS a symlink to a valid list',
      'SHA256SUMS is a symbolic link, not a regular file',
      (d: string) => {
        writeFileSync(join(d, '..', `sums-${made}`), readFileSync(join(d, 'SHA256SUMS')))
        rmSync(join(d, 'SHA256SUMS'))
        symlinkSync(join(d, '..', `sums-${made}`), join(d, 'SHA256SUMS'))
      }
    ],
    [
      'a listed path outside the bundle',
      '../x: not a path inside the bundle',
      (d: string) => {
        appendFileSync(join(d, 'SHA256SUMS'), `${'0'.repeat(64)}  ../x\n`)
      }
    ]
  ])(
    'refused with exit 2 naming the path, the root untouched: %s',
    async (_what, message, spoil) => {
      const dir = makeBundle(work)
      spoil(dir)
      const run = await plan(dir, root)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(message)
      expect(describeTree(root)).toEqual(before)
    }
  )

  test('plan hashes only meta/bundle.json: a changed file passes plan (which says so), the full check before an install refuses it', async () => {
    const dir = makeBundle(work)
    appendFileSync(join(dir, 'bin', 'keadm'), 'changed after SHA256SUMS\n')
    const run = await plan(dir, root)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      'plan hashed only meta/bundle.json; `cloud` checks the sha256 of every file before it changes anything'
    )
    const json = await plan(dir, root, ['--json'])
    expect(json.code).toBe(0)
    const result = JSON.parse(json.stdout.trim()) as { hashed: string[] }
    expect(result.hashed).toEqual(['meta/bundle.json'])
    await expect(verifyBundle(dir)).rejects.toThrow(
      'bin/keadm: changed (sha256 differs from SHA256SUMS)'
    )
    expect(describeTree(root)).toEqual(before)
  })

  test('plan still refuses a changed meta/bundle.json (the file it reads), and a missing or unlisted file', async () => {
    const changed = makeBundle(work)
    appendFileSync(join(changed, 'meta', 'bundle.json'), ' ')
    const run = await plan(changed, root)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('meta/bundle.json: changed (sha256 differs from SHA256SUMS)')
    const missing = makeBundle(work)
    rmSync(join(missing, 'bin', 'keadm'))
    writeFileSync(join(missing, 'extra.sh'), 'echo hi\n')
    const other = await plan(missing, root)
    expect(other.code).toBe(2)
    expect(other.stderr).toContain('bin/keadm: missing')
    expect(other.stderr).toContain('extra.sh: not in SHA256SUMS')
    expect(describeTree(root)).toEqual(before)
  })

  test('--trust-key: an ECDSA P-256 and an Ed25519 signature made by openssl pass', async () => {
    const ec = makeBundle(work)
    signEc(ec)
    expect((await plan(ec, root, ['--trust-key', join(work, 'ec.pub.pem')])).code).toBe(0)
    const ed = makeBundle(work)
    signEd(ed)
    const run = await plan(ed, root, ['--trust-key', join(work, 'ed.pub.pem')])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })

  test('--trust-key: unsigned, signed by another key, or changed after signing (SHA256SUMS recomputed) is refused', async () => {
    const key = ['--trust-key', join(work, 'ec.pub.pem')]
    const unsigned = await plan(makeBundle(work), root, key)
    expect(unsigned.code).toBe(2)
    expect(unsigned.stderr).toContain('SHA256SUMS.sig is missing: the bundle is not signed')

    const other = makeBundle(work)
    signEc(other, keys.other)
    const wrong = await plan(other, root, key)
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain('not a valid signature of SHA256SUMS by the key in --trust-key')

    const changed = makeBundle(work)
    signEc(changed)
    writeFileSync(join(changed, 'install.js'), '// changed: runs something else\n')
    writeSums(changed)
    const tampered = await plan(changed, root, key)
    expect(tampered.code).toBe(2)
    expect(tampered.stderr).toContain('not a valid signature of SHA256SUMS')
    expect(describeTree(root)).toEqual(before)
  })

  test('/etc/kedge/trust.pem under --root makes a signature required; a bad key file is a clear exit 2', async () => {
    const site = join(work, 'site-root')
    mkdirSync(join(site, 'etc', 'kedge'), { recursive: true })
    writeFileSync(join(site, 'etc', 'kedge', 'trust.pem'), readFileSync(join(work, 'ed.pub.pem')))
    const siteBefore = describeTree(site)
    const unsigned = await plan(makeBundle(work), site)
    expect(unsigned.code).toBe(2)
    expect(unsigned.stderr).toContain(
      `${join(site, 'etc/kedge/trust.pem')} asks for a signed bundle`
    )
    const signed = makeBundle(work)
    signEd(signed)
    expect((await plan(signed, site)).code).toBe(0)
    expect(describeTree(site)).toEqual(siteBefore)

    const rsa = await plan(signed, root, ['--trust-key', join(work, 'rsa.pub.pem')])
    expect(rsa.code).toBe(2)
    expect(rsa.stderr).toContain('is a rsa key; kedge signs with ECDSA P-256 or Ed25519')
    const missing = await plan(signed, root, ['--trust-key', join(work, 'nope.pem')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read')
  })

  test.each([
    [
      'versions.node (install.sh)',
      { versions: { ...BUNDLE_JSON.versions, node: 'v24.11.0$(touch /tmp/pwned)' } },
      'versions.node: "v24.11.0$(touch /tmp/pwned)" is not a version'
    ],
    [
      'versions.kubeedge (keadm arguments)',
      { versions: { ...BUNDLE_JSON.versions, kubeedge: 'v1.22.0 --set x=y' } },
      'versions.kubeedge: "v1.22.0 --set x=y" is not a version'
    ],
    [
      'versions.edgemesh (EdgeMesh values YAML)',
      { versions: { ...BUNDLE_JSON.versions, edgemesh: 'v1.17.0\n  psk: stolen' } },
      'versions.edgemesh:'
    ],
    [
      'sandboxImage (config.toml)',
      { sandboxImage: 'kubeedge/pause:3.6"\n[plugins.x]\nevil = "1' },
      'sandboxImage: "kubeedge/pause:3.6\\"\\n[plugins.x]'
    ],
    [
      'mosquitto.image',
      { mosquitto: { ...BUNDLE_JSON.mosquitto, image: 'x;rm -rf /' } },
      'mosquitto.image: "x;rm -rf /" is not an image reference'
    ],
    [
      'mosquitto.tag (keadm --set)',
      { mosquitto: { ...BUNDLE_JSON.mosquitto, tag: '1.6.15,cloudCore.x=y' } },
      'mosquitto.repository, .tag: "eclipse-mosquitto", "1.6.15,cloudCore.x=y" do not make mosquitto.image "eclipse-mosquitto:1.6.15"'
    ],
    [
      'an image name',
      { images: [{ ...BUNDLE_JSON.images[0], name: 'a b' }] },
      'images[0].name: "a b" is not an image reference'
    ],
    [
      'a digest',
      { images: [{ ...BUNDLE_JSON.images[0], manifestDigest: 'sha256:zz' }] },
      'images[0].manifestDigest'
    ],
    ['the bundle name', { name: 'kubeedge-cloud-$(id)' }, 'name: "kubeedge-cloud-$(id)"']
  ])(
    'bundle.json: a value that would inject through %s is refused (exit 2)',
    async (_what, change, message) => {
      const run = await plan(makeBundle(work, { ...BUNDLE_JSON, ...change }), root)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('meta/bundle.json holds values the installer will not use')
      expect(run.stderr).toContain(message)
      expect(describeTree(root)).toEqual(before)
    }
  )
})
