/**
 * scripts/sign-release.sh, which release.yml runs on the release's SHA256SUMS with the
 * repository secret: driven here with the REAL openssl and keys the test makes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadTrustKey, verifySignature } from '@kedge/installer'
import * as bed from './bed/index.js'
import { repoRoot } from './lib/repo.js'

describe('sign-release.sh (real openssl, keys made here)', () => {
  let work: string
  const script = join(repoRoot(), 'scripts', 'sign-release.sh')
  const genkey = (name: string, args: string[]): string => {
    const file = join(work, `${name}.pem`)
    execFileSync('openssl', ['genpkey', ...args, '-out', file], { stdio: 'ignore' })
    return readFileSync(file, 'utf8')
  }
  let n = 0
  const sign = (key: string, published?: string) => {
    const dir = join(work, `release-${++n}`)
    mkdirSync(dir)
    writeFileSync(join(dir, 'SHA256SUMS'), `${'a'.repeat(64)}  kubeedge-edge-1.22.0-arm64.tar.gz\n`)
    const run = spawnSync('sh', [script, dir, ...(published ? [published] : [])], {
      env: { ...process.env, KEDGE_SIGNING_KEY: key },
      encoding: 'utf8'
    })
    return { dir, code: run.status, stderr: run.stderr }
  }

  beforeAll(async () => {
    work = await bed.tempDir('release-sign')
  })
  afterAll(async () => {
    await bed.removeDir(work)
  })

  test('ECDSA P-256 and Ed25519: the signature checks with openssl and with install.js', () => {
    for (const args of [
      ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      ['-algorithm', 'ed25519']
    ]) {
      const { dir, code, stderr } = sign(genkey(`k${n}`, args))
      expect(stderr).toBe('')
      expect(code).toBe(0)
      const trust = loadTrustKey(join(dir, 'kedge-release.pub.pem'), 'the release key')
      const sums = readFileSync(join(dir, 'SHA256SUMS'))
      expect(
        verifySignature(sums, readFileSync(join(dir, 'SHA256SUMS.sig')), trust)
      ).toBeUndefined()
      expect(
        verifySignature(
          Buffer.concat([sums, Buffer.from('x')]),
          readFileSync(join(dir, 'SHA256SUMS.sig')),
          trust
        )
      ).toMatch(/not a valid signature/)
    }
  })

  test('no key, an RSA key, or a key that is not the published one: exit 1 with the reason', () => {
    expect(sign('')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('KEDGE_SIGNING_KEY is empty')
    })
    expect(sign('not a key')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('is not a PEM private key')
    })
    const rsa = genkey('rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'])
    expect(sign(rsa)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('must be ECDSA P-256 or Ed25519')
    })
    const first = sign(genkey('one', ['-algorithm', 'ed25519']))
    const other = sign(
      genkey('two', ['-algorithm', 'ed25519']),
      join(first.dir, 'kedge-release.pub.pem')
    )
    expect(sign(genkey('three', ['-algorithm', 'ed25519']), join(work, 'none.pem')).code).toBe(0)
    expect(other).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('is not the private half of')
    })
  })
})
