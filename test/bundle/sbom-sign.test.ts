/**
 * The bundle's SBOM and signature, on bundles built against the test bed (a real registry
 * with SYNTHETIC images under their real names, a loopback file server with STAND-IN
 * release assets and real checksum files). The SBOM is validated against the CycloneDX 1.5
 * JSON schema shipped in @cyclonedx/cyclonedx-library (ajv, no network); the signature is
 * checked with the REAL openssl and by install.js (in this process) with keys made here.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { packageBundle, type BundleSpec, type PackageResult } from '@kedge/bundle'
import { main } from '@kedge/installer'
import * as bed from '../bed/index.js'
import { hostArch, TOKEN } from '../installer/fixture.js'

const require = createRequire(import.meta.url)

/** The CycloneDX 1.5 JSON schema and the two it refers to, as the library ships them. */
function cyclonedxValidator(): ValidateFunction {
  const dir = join(
    dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')),
    'res',
    'schema'
  )
  const read = (f: string) =>
    JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats.default(ajv)
  // Formats ajv-formats lacks; accepted as strings (the schema's structure is what is checked).
  ajv.addFormat('iri-reference', true)
  ajv.addFormat('idn-email', true)
  for (const f of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json'])
    ajv.addSchema({ ...read(f), $id: `http://cyclonedx.org/schema/${f}` })
  return ajv.compile(read('bom-1.5.SNAPSHOT.schema.json'))
}

interface Component {
  type: string
  'bom-ref': string
  name: string
  version?: string
  purl?: string
  hashes?: Array<{ alg: string; content: string }>
  properties?: Array<{ name: string; value: string }>
}
interface Sbom {
  specVersion: string
  components: Component[]
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

describe('SBOM and signature of a bundle (real registry, stand-in assets, real openssl)', () => {
  let registry: bed.Registry
  let server: bed.FileServer
  let spec: BundleSpec
  let work: string
  let validate: ValidateFunction
  const built: Record<string, { result: PackageResult; dir: string }> = {}

  const openssl = (args: string[]) =>
    execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  const key = (name: string, args: string[]) => {
    openssl(['genpkey', ...args, '-out', join(work, `${name}.key.pem`)])
    openssl([
      'pkey',
      '-in',
      join(work, `${name}.key.pem`),
      '-pubout',
      '-out',
      join(work, `${name}.pub.pem`)
    ])
    return readFileSync(join(work, `${name}.key.pem`), 'utf8')
  }

  beforeAll(async () => {
    work = await bed.tempDir('sbom-sign')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    registry = await bed.startRegistry()
    server = await bed.startFileServer()
    spec = await bed.bedSpec(server, registry)
    validate = cyclonedxValidator()
    const keys = {
      edge: key('ec', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
      cloud: key('ed', ['-algorithm', 'ed25519'])
    }
    for (const side of ['edge', 'cloud'] as const) {
      const result = await packageBundle({
        spec,
        side,
        arch: hostArch,
        outputDir: join(work, 'out'),
        signingKey: keys[side]
      })
      const into = join(work, 'x', side)
      mkdirSync(into, { recursive: true })
      execFileSync('tar', ['-xzf', result.bundle, '-C', into])
      built[side] = { result, dir: join(into, result.name) }
    }
  })
  afterAll(async () => {
    await server.stop()
    await registry.stop()
    await bed.removeDir(work)
  })

  const sbomOf = (side: string): Sbom =>
    JSON.parse(readFileSync(join(built[side]?.dir ?? '', 'meta', 'sbom.cdx.json'), 'utf8')) as Sbom

  test('each SBOM is valid CycloneDX 1.5 (schema from the library); a broken one is not', () => {
    for (const side of ['edge', 'cloud']) {
      const sbom = sbomOf(side)
      expect(sbom.specVersion).toBe('1.5')
      const ok = validate(sbom)
      expect(validate.errors ?? []).toEqual([])
      expect(ok).toBe(true)
    }
    const broken = { ...sbomOf('edge'), components: [{ type: 'binary', name: 'x' }] }
    expect(validate(broken)).toBe(false)
  })

  test('every image with its digest and a pkg:oci purl; every binary, chart and CRD with its sha256', () => {
    for (const side of ['edge', 'cloud']) {
      const { dir, result } = built[side] ?? { dir: '', result: undefined }
      const sbom = sbomOf(side)
      const byRef = new Map(sbom.components.map(c => [c['bom-ref'], c]))
      const bundle = JSON.parse(readFileSync(join(dir, 'meta', 'bundle.json'), 'utf8')) as {
        images: Array<{ name: string; manifestDigest: string }>
        assets: Array<{ name: string; sha256: string }>
      }
      expect(bundle.images.length).toBeGreaterThan(3)
      for (const image of bundle.images) {
        const c = byRef.get(`image:${image.name}`)
        expect(c?.type).toBe('container')
        expect(c?.purl).toMatch(
          new RegExp(
            `^pkg:oci/[a-z0-9._-]+@${encodeURIComponent(image.manifestDigest)}\\?arch=${hostArch}&repository_url=`
          )
        )
        expect(c?.hashes).toEqual([{ alg: 'SHA-256', content: image.manifestDigest.slice(7) }])
      }
      for (const asset of bundle.assets) {
        const c = byRef.get(`asset:${asset.name}`)
        expect(c?.hashes?.[0]?.content).toBe(asset.sha256)
        expect(c?.version).toMatch(/^v?\d+\.\d+\.\d+/)
      }
      const binaries = ['bin', 'cni/bin'].flatMap(d => {
        try {
          return readdirSync(join(dir, d)).map(f => `${d}/${f}`)
        } catch {
          return []
        }
      })
      expect(binaries.length).toBeGreaterThan(2)
      for (const path of [...binaries, ...(side === 'cloud' ? ['charts/edgemesh.tgz'] : [])]) {
        const c = byRef.get(`file:${path}`)
        expect(c?.hashes).toEqual([{ alg: 'SHA-256', content: sha(join(dir, path)) }])
        expect(c?.version).toMatch(/^v?\d+\.\d+\.\d+/)
      }
      if (side === 'cloud')
        expect(
          sbom.components
            .filter(c => c['bom-ref'].startsWith('crd:'))
            .map(c => c.name)
            .sort()
        ).toEqual([
          'crds/istio/crd-destinationrule.yaml',
          'crds/istio/crd-gateway.yaml',
          'crds/istio/crd-virtualservice.yaml'
        ])
      // The release copy is the bundle's own, and SHA256SUMS covers it.
      expect(readFileSync(result?.sbom ?? '', 'utf8')).toBe(
        readFileSync(join(dir, 'meta', 'sbom.cdx.json'), 'utf8')
      )
      expect(readFileSync(join(dir, 'SHA256SUMS'), 'utf8')).toContain('  meta/sbom.cdx.json\n')
    }
  })

  test('SHA256SUMS.sig verifies with the real openssl (ECDSA P-256: dgst; Ed25519: pkeyutl)', () => {
    const edge = built.edge?.dir ?? ''
    expect(
      openssl([
        'dgst',
        '-sha256',
        '-verify',
        join(work, 'ec.pub.pem'),
        '-signature',
        join(edge, 'SHA256SUMS.sig'),
        join(edge, 'SHA256SUMS')
      ])
    ).toContain('Verified OK')
    const cloud = built.cloud?.dir ?? ''
    expect(
      openssl([
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        join(work, 'ed.pub.pem'),
        '-rawin',
        '-in',
        join(cloud, 'SHA256SUMS'),
        '-sigfile',
        join(cloud, 'SHA256SUMS.sig')
      ])
    ).toContain('Signature Verified Successfully')
    expect(() =>
      openssl([
        'dgst',
        '-sha256',
        '-verify',
        join(work, 'ec.pub.pem'),
        '-signature',
        join(edge, 'SHA256SUMS.sig'),
        join(cloud, 'SHA256SUMS')
      ])
    ).toThrow()
  })

  test('install.js --trust-key accepts the signed bundle, and refuses it with the other key', async () => {
    const root = join(work, 'root')
    mkdirSync(root, { recursive: true })
    const plan = (side: string, pub: string) =>
      main(
        [
          'plan',
          '--bundle',
          built[side]?.dir ?? '',
          '--root',
          root,
          '--trust-key',
          join(work, pub),
          ...(side === 'edge'
            ? ['--cloudcore-ipport', '192.0.2.10:10000', '--token', TOKEN]
            : ['--advertise-address', '192.0.2.10'])
        ],
        () => undefined
      )
    expect(await plan('edge', 'ec.pub.pem')).toBe(0)
    expect(await plan('cloud', 'ed.pub.pem')).toBe(0)
    const stderr = process.stderr.write.bind(process.stderr)
    process.stderr.write = () => true
    try {
      expect(await plan('edge', 'ed.pub.pem')).toBe(2)
    } finally {
      process.stderr.write = stderr
    }
  })

  test('a signing key of another kind fails the build at once, before any download', async () => {
    const rsa = key('rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'])
    const before = server.requests.length
    await expect(
      packageBundle({
        spec,
        side: 'edge',
        arch: hostArch,
        outputDir: join(work, 'rsa'),
        signingKey: rsa
      })
    ).rejects.toThrow('signing-key: a rsa key; kedge signs with ECDSA P-256 or Ed25519 only')
    expect(server.requests.length).toBe(before)
  })
})
