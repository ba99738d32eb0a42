/**
 * The bundle's SBOM: CycloneDX 1.5 JSON, in meta/sbom.cdx.json and beside the tarball as
 * <name>.cdx.json. It lists every image (manifest digest, pkg:oci purl, platform), every
 * release asset as downloaded (version, sha256, URL, how it was verified), every binary and
 * file placed from them (version, sha256), the charts and the CRDs. Written by hand (the
 * format is plain JSON; the tests validate it against the CycloneDX schema) and
 * deterministic: no timestamp unless SOURCE_DATE_EPOCH, a serial number derived from the
 * content.
 */
import { createHash } from 'node:crypto'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseReference, type ImageReport } from '@kedge/oci'
import type { FetchedAsset } from './assets.js'
import { hashFile } from './checksums.js'
import type { BundleSpec } from './spec.js'

export const SBOM_FILE = 'meta/sbom.cdx.json'

interface Property {
  name: string
  value: string
}

export interface SbomComponent {
  type: 'container' | 'application' | 'file'
  'bom-ref': string
  name: string
  version?: string
  purl?: string
  hashes?: Array<{ alg: 'SHA-256'; content: string }>
  externalReferences?: Array<{ type: 'distribution'; url: string }>
  properties?: Property[]
}

export interface SbomInput {
  name: string
  side: string
  arch: string
  spec: BundleSpec
  root: string
  images: ImageReport[]
  assets: FetchedAsset[]
  crds: Array<{ name: string; file: string; sha256: string }>
}

/** The version each release asset comes at (the spec's `versions` key). */
const ASSET_VERSION: Record<string, keyof BundleSpec['versions']> = {
  keadm: 'kubeedge',
  node: 'node',
  k3s: 'k3s',
  'k3s-images.txt': 'k3s',
  'k3s-install.sh': 'k3s',
  helm: 'helm',
  containerd: 'containerd',
  runc: 'runc',
  'cni-plugins': 'cni'
}

const sha256 = (hex: string) => [{ alg: 'SHA-256' as const, content: hex }]

/** pkg:oci/<name>@sha256%3A<hex>?arch=…&repository_url=<registry>/<repository>&tag=… */
export function imagePurl(image: ImageReport, arch: string): string {
  const ref = parseReference(image.name)
  const last = ref.repository.split('/').pop() ?? ref.repository
  const query = [
    `arch=${encodeURIComponent(arch)}`,
    `repository_url=${encodeURIComponent(`${ref.registry}/${ref.repository}`)}`,
    ...(ref.tag ? [`tag=${encodeURIComponent(ref.tag)}`] : [])
  ].join('&')
  return `pkg:oci/${last.toLowerCase()}@${encodeURIComponent(image.manifestDigest)}?${query}`
}

function imageComponent(image: ImageReport, arch: string): SbomComponent {
  const ref = parseReference(image.name)
  return {
    type: 'container',
    'bom-ref': `image:${image.name}`,
    name: `${ref.registry}/${ref.repository}`,
    version: ref.tag ?? image.manifestDigest,
    purl: imagePurl(image, arch),
    hashes: sha256(image.manifestDigest.replace(/^sha256:/, '')),
    properties: [
      { name: 'kedge:reference', value: image.name },
      { name: 'kedge:platform', value: image.platform },
      { name: 'kedge:manifestDigest', value: image.manifestDigest },
      { name: 'kedge:configDigest', value: image.configDigest },
      ...(image.indexDigest ? [{ name: 'kedge:indexDigest', value: image.indexDigest }] : [])
    ]
  }
}

const assetVersion = (a: FetchedAsset, spec: BundleSpec): string | undefined => {
  const key = ASSET_VERSION[a.asset.name]
  return key ? spec.versions[key] : undefined
}

function assetComponent(a: FetchedAsset, spec: BundleSpec): SbomComponent {
  const version = assetVersion(a, spec)
  return {
    type: 'application',
    'bom-ref': `asset:${a.asset.name}`,
    name: a.asset.name,
    ...(version ? { version } : {}),
    hashes: sha256(a.sha256),
    // upstream's URL, not the mirror that served it: two builds from two mirrors are identical
    externalReferences: [{ type: 'distribution', url: a.asset.canonical?.url ?? a.asset.url }],
    properties: [{ name: 'kedge:verifiedBy', value: a.asset.canonical?.verifiedBy ?? a.verifiedBy }]
  }
}

/** The bundle paths an asset was placed at (its files, or every file of its directory). */
async function placedPaths(a: FetchedAsset, root: string): Promise<string[]> {
  const p = a.asset.place
  if (p.kind === 'file') return [p.path]
  if (p.kind === 'extract') return Object.values(p.files)
  return (await readdir(join(root, p.dir))).sort().map(f => `${p.dir}/${f}`)
}

async function fileComponent(
  path: string,
  root: string,
  from: { version?: string; ref?: string; properties?: Property[] }
): Promise<SbomComponent> {
  return {
    type: 'file',
    'bom-ref': `file:${path}`,
    name: path,
    ...(from.version ? { version: from.version } : {}),
    hashes: sha256(await hashFile(join(root, path), 'sha256')),
    properties: [
      ...(from.ref ? [{ name: 'kedge:from', value: from.ref }] : []),
      ...(from.properties ?? [])
    ]
  }
}

/** Every component: images, assets, the files placed from them, the charts, the CRDs. */
async function components(input: SbomInput): Promise<SbomComponent[]> {
  const { root, spec } = input
  const out = input.images.map(i => imageComponent(i, input.arch))
  const placed = new Set<string>()
  for (const a of input.assets) {
    out.push(assetComponent(a, spec))
    const version = assetVersion(a, spec)
    for (const path of await placedPaths(a, root)) {
      placed.add(path)
      out.push(
        await fileComponent(path, root, {
          ...(version ? { version } : {}),
          ref: `asset:${a.asset.name}`
        })
      )
    }
  }
  const charts = await readdir(join(root, 'charts')).catch(() => [] as string[])
  for (const chart of charts.sort()) {
    const path = `charts/${chart}`
    if (!placed.has(path))
      out.push(
        await fileComponent(path, root, {
          version: spec.versions.edgemesh,
          properties: [{ name: 'kedge:kind', value: 'helm-chart' }]
        })
      )
  }
  for (const crd of input.crds) {
    out.push({
      type: 'file',
      'bom-ref': `crd:${crd.name}`,
      name: crd.file,
      version: spec.versions.edgemesh,
      hashes: sha256(crd.sha256),
      properties: [
        { name: 'kedge:kind', value: 'crd' },
        { name: 'kedge:crd', value: crd.name }
      ]
    })
  }
  return out
}

/** The SBOM document for one bundle. */
export async function makeSbom(input: SbomInput): Promise<Record<string, unknown>> {
  const list = await components(input)
  const epoch = process.env.SOURCE_DATE_EPOCH
  const digest = createHash('sha256').update(input.name).update(JSON.stringify(list)).digest('hex')
  const uuid = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-a${digest.slice(17, 20)}-${digest.slice(20, 32)}`
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${uuid}`,
    version: 1,
    metadata: {
      ...(epoch ? { timestamp: new Date(Number(epoch) * 1000).toISOString() } : {}),
      tools: { components: [{ type: 'application', name: 'kedge', version: '0.1.0' }] },
      component: {
        type: 'application',
        'bom-ref': `bundle:${input.name}`,
        name: input.name,
        version: input.spec.versions.kubeedge,
        description: `KubeEdge ${input.spec.versions.kubeedge} ${input.side} bundle for linux/${input.arch} (offline install)`,
        properties: [
          { name: 'kedge:side', value: input.side },
          { name: 'kedge:arch', value: input.arch }
        ]
      }
    },
    components: list,
    dependencies: [{ ref: `bundle:${input.name}`, dependsOn: list.map(c => c['bom-ref']) }]
  }
}

/** Writes meta/sbom.cdx.json; returns its text (also published beside the tarball). */
export async function writeSbom(input: SbomInput): Promise<string> {
  const text = `${JSON.stringify(await makeSbom(input), null, 2)}\n`
  await writeFile(join(input.root, SBOM_FILE), text)
  return text
}
