/**
 * The bundle spec, kedge.yaml: pinned versions, where every download comes from (each
 * with a base-URL override), registry mirrors, and what each side's bundle carries.
 * Strings may use {kubeedge} {edgemesh} {k3s} {containerd} {runc} {cni} {helm} {node}
 * placeholders, filled from `versions`.
 */
import { load } from 'js-yaml'
import semver from 'semver'
import { parseReference } from '@kedge/oci'
import { DEFAULT_SPEC_YAML } from './default-spec.js'
import { validate, type Field, type Schema } from './schema.js'

export const SIDES = ['cloud', 'edge'] as const
export type Side = (typeof SIDES)[number]
export const ARCHES = ['amd64', 'arm64'] as const
export type Arch = (typeof ARCHES)[number]

export interface FileSpec {
  url: string
  sha256: string
  /** Where it goes in the bundle, under files/. */
  path: string
}

export interface SideSpec {
  images: string[]
  files: FileSpec[]
}

export interface BundleSpec {
  apiVersion: string
  kind: string
  versions: {
    kubeedge: string
    edgemesh: string
    k3s: string
    containerd: string
    runc: string
    cni: string
    helm: string
    node: string
  }
  sources: {
    kubeedge: string
    k3s: string
    k3sInstallScript: string
    containerd: string
    runc: string
    cni: string
    helm: string
    node: string
    edgemesh: string
  }
  pins: {
    /** sha256 of k3s's install.sh; it has no published checksum. Empty: recorded, not verified (warned). */
    k3sInstallScript: string
    /** sha256 of the k3s release's k3s-images.txt; sha256sum-<arch>.txt does not list it. Empty: as above. */
    k3sImagesTxt: string
    edgemeshChart: string
    istioCrds: Record<string, string>
  }
  edgemesh: { enabled: boolean }
  mosquitto: { enabled: boolean; image: string }
  /** k3s's servicelb (klipper-lb): off by default, since its DaemonSet lands on edge nodes too. */
  k3s: { servicelb: boolean }
  /** The cloudcore chart's optional components (the chart's defaults: off). */
  cloudcore: { controllerManager: boolean; admission: boolean }
  /** The sandbox image the edge installer's containerd config names. */
  sandboxImage: string
  registry: { mirrors: string[]; insecure: string[]; fallbackToOrigin?: boolean }
  sides: Record<Side, SideSpec & { k3sImages?: boolean }>
}

const SHA256 = /^[a-f0-9]{64}$/
const VERSION_KEYS = [
  'kubeedge',
  'edgemesh',
  'k3s',
  'containerd',
  'runc',
  'cni',
  'helm',
  'node'
] as const

/**
 * Values that later reach a shell, a TOML or a YAML file are held to strict patterns here,
 * when the spec is read: no whitespace, quotes, `$`, backticks, `;`, backslashes or braces
 * (a brace left over is a misspelt {placeholder}).
 */
const URL_PATTERN = /^https?:\/\/[A-Za-z0-9._~:/?#[\]@!&()*+,=%-]+$/
const url: Schema = {
  kind: 'string',
  pattern: URL_PATTERN,
  expect:
    'an http(s) URL (letters, digits and ._~:/?#[]@!&()*+,=%- only; no quotes, $, `, ;, spaces or braces)'
}
const sha: Schema = {
  kind: 'string',
  pattern: SHA256,
  expect: 'a sha256 (64 lower-case hex digits)'
}
/**
 * Versions reach file names, URLs, install.sh and the installer's commands: only
 * v1.22.0, 1.7.29, v1.34.2+k3s1, v1.0.0-rc.1 and the like (the installer checks the same).
 */
export const VERSION = /^v?\d{1,4}\.\d{1,4}\.\d{1,4}(?:[-+][A-Za-z0-9][A-Za-z0-9.+-]{0,63})?$/
const version: Schema = {
  kind: 'string',
  check: v =>
    VERSION.test(v) && semver.valid(semver.coerce(v, { includePrerelease: true }))
      ? undefined
      : 'is not a version like v1.22.0 (digits, dots, and a -suffix or +suffix of letters, digits, . + -)'
}
/** What an image reference may hold at all: registry, path, tag and digest characters. */
const IMAGE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/
/** `name:tag` (a digest may follow): the tag is after the last `:` that follows the last `/`. */
const hasTag = (v: string): boolean => {
  const name = v.split('@')[0] ?? v
  return name.lastIndexOf(':') > name.lastIndexOf('/')
}
function checkImage(v: string): string | undefined {
  if (!IMAGE_PATTERN.test(v)) return 'is not an image reference (letters, digits and ._/:@- only)'
  try {
    parseReference(v)
  } catch (err) {
    return `is not an image reference: ${(err as Error).message.replace(/^invalid image reference "[^"]*": /, '')}`
  }
  return hasTag(v) || v.includes('@') ? undefined : 'has no tag (pin a tag or a digest)'
}
const image: Schema = { kind: 'string', check: checkImage }
/** The chart takes mosquitto.image.repository and .tag: the image needs a tag. */
const taggedImage: Schema = {
  kind: 'string',
  check: v =>
    checkImage(v) ??
    (hasTag(v)
      ? undefined
      : 'has no tag (the cloudcore chart takes mosquitto.image.repository and .tag)')
}
const relativePath: Schema = {
  kind: 'string',
  check: v => {
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(v))
      return 'holds a control character (a newline, tab, ...): name the file without one'
    if (!/^[A-Za-z0-9._+/-]+$/.test(v))
      return 'is not a plain relative path (letters, digits and ._+/- only)'
    return v.startsWith('/') || v.split('/').some(p => p === '..' || p === '.' || p === '')
      ? 'is not a relative path inside the bundle (no leading /, no . or .. parts)'
      : undefined
  }
}
const flag: Field = { kind: 'boolean' }
const side = (withK3s: boolean): Field => ({
  kind: 'object',
  fields: {
    images: { kind: 'array', items: image },
    files: {
      kind: 'array',
      optional: true,
      items: { kind: 'object', fields: { url, sha256: sha, path: relativePath } }
    },
    ...(withK3s ? { k3sImages: { kind: 'boolean', optional: true } } : {})
  }
})

export const SPEC_SCHEMA: Schema = {
  kind: 'object',
  fields: {
    apiVersion: { kind: 'string', pattern: /^kedge\.dev\/v1alpha1$/, expect: 'kedge.dev/v1alpha1' },
    kind: { kind: 'string', pattern: /^BundleSpec$/, expect: 'BundleSpec' },
    versions: { kind: 'object', fields: Object.fromEntries(VERSION_KEYS.map(k => [k, version])) },
    sources: {
      kind: 'object',
      fields: Object.fromEntries(
        [
          'kubeedge',
          'k3s',
          'k3sInstallScript',
          'containerd',
          'runc',
          'cni',
          'helm',
          'node',
          'edgemesh'
        ].map(k => [k, url])
      )
    },
    pins: {
      kind: 'object',
      fields: {
        k3sInstallScript: {
          kind: 'string',
          pattern: /^([a-f0-9]{64})?$/,
          expect: 'a sha256 or empty'
        },
        k3sImagesTxt: {
          kind: 'string',
          pattern: /^([a-f0-9]{64})?$/,
          expect: 'a sha256 or empty',
          optional: true
        },
        edgemeshChart: sha,
        istioCrds: {
          kind: 'map',
          values: sha,
          keyPattern: /^[a-z0-9-]+\.yaml$/,
          keyExpect: 'a CRD file name like crd-gateway.yaml'
        }
      }
    },
    edgemesh: { kind: 'object', fields: { enabled: { kind: 'boolean' } } },
    mosquitto: { kind: 'object', fields: { enabled: flag, image: taggedImage } },
    k3s: { kind: 'object', optional: true, fields: { servicelb: flag } },
    cloudcore: {
      kind: 'object',
      optional: true,
      fields: { controllerManager: flag, admission: flag }
    },
    sandboxImage: image,
    registry: {
      kind: 'object',
      fields: {
        mirrors: {
          kind: 'array',
          items: {
            kind: 'string',
            pattern: new RegExp(`^[A-Za-z0-9.-]+(:\\d+)?=${URL_PATTERN.source.slice(1)}`),
            expect: 'registry=URL (host[:port]=http(s)://..., no quotes, $, `, ;, spaces)'
          }
        },
        fallbackToOrigin: { kind: 'boolean', optional: true },
        insecure: {
          kind: 'array',
          items: { kind: 'string', pattern: /^[A-Za-z0-9.-]+(:\d+)?$/, expect: 'host[:port]' }
        }
      }
    },
    sides: { kind: 'object', fields: { cloud: side(true), edge: side(false) } }
  }
}

export class SpecError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[]
  ) {
    super(
      `${source}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n  ${problems.join('\n  ')}`
    )
    this.name = 'SpecError'
  }
}

/** Fills {name} placeholders from `versions` in every string. */
function expand(value: unknown, versions: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{([a-z0-9]+)\}/g, (whole, key: string) =>
      typeof versions[key] === 'string' ? versions[key] : whole
    )
  }
  if (Array.isArray(value)) return value.map(v => expand(v, versions))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, versions)]))
  }
  return value
}

/** A spec is a short file: these bound the text, and the values after YAML alias expansion. */
export const SPEC_LIMITS = { bytes: 256 * 1024, values: 20_000, depth: 32 } as const
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

const at = (path: string, key: string): string => (path ? `${path}.${key}` : key)
const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Problems of shape found before anything else reads the document: keys that could reach
 * Object.prototype, and documents that expand (YAML aliases: `*a` repeats `&a`) to more
 * values than any spec has, which would make every later walk exponential.
 */
function shapeProblems(doc: unknown): string[] {
  const problems: string[] = []
  let values = 0
  const visit = (value: unknown, path: string, depth: number): void => {
    values += 1
    if (values > SPEC_LIMITS.values || depth > SPEC_LIMITS.depth) throw new RangeError(path)
    if (Array.isArray(value)) {
      value.forEach((v: unknown, i) => {
        visit(v, `${path}[${i}]`, depth + 1)
      })
    } else if (isMapping(value)) {
      for (const key of Object.keys(value)) {
        if (FORBIDDEN_KEYS.has(key))
          problems.push(`${at(path, key)}: the key "${key}" is not allowed`)
        else visit(value[key], at(path, key), depth + 1)
      }
    }
  }
  try {
    visit(doc, '', 0)
  } catch (err) {
    if (!(err instanceof RangeError)) throw err
    return [
      `the document expands to more than ${SPEC_LIMITS.values} values or ${SPEC_LIMITS.depth} levels (near ${err.message || 'the top'}; YAML aliases?); a spec needs far fewer`
    ]
  }
  return problems
}

function loadSpecYaml(text: string, source: string): unknown {
  const bytes = Buffer.byteLength(text)
  if (bytes > SPEC_LIMITS.bytes) {
    throw new SpecError(source, [`${bytes} bytes; a spec is at most ${SPEC_LIMITS.bytes} bytes`])
  }
  let doc: unknown
  try {
    doc = load(text)
  } catch (err) {
    throw new SpecError(source, [`not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`])
  }
  const problems = shapeProblems(doc)
  if (problems.length > 0) throw new SpecError(source, problems)
  return doc
}

/** The lists a user spec appends to the built-in ones; every other value replaces. */
const APPENDED = /^sides\.(cloud|edge)\.(images|files)$/

/** `over` deep-merged into `base`: mappings merged key by key, APPENDED lists appended. */
export function mergeSpec(base: unknown, over: unknown, path = ''): unknown {
  if (over === undefined) return base
  if (isMapping(base) && isMapping(over)) {
    const out: Record<string, unknown> = { ...base }
    for (const [key, value] of Object.entries(over)) {
      out[key] = Object.hasOwn(base, key) ? mergeSpec(base[key], value, at(path, key)) : value
    }
    return out
  }
  if (Array.isArray(base) && Array.isArray(over) && APPENDED.test(path)) {
    return [...(base as unknown[]), ...(over as unknown[])]
  }
  return over
}

/** The spec's versions with `overrides` applied: what the placeholders are filled from. */
function versionsOf(
  doc: unknown,
  overrides: { versions?: Partial<BundleSpec['versions']> }
): Record<string, unknown> {
  const versions = isMapping(doc) && isMapping(doc.versions) ? { ...doc.versions } : {}
  for (const [key, value] of Object.entries(overrides.versions ?? {})) {
    if (value) versions[key] = value
  }
  return versions
}

/** SPEC_SCHEMA with every mapping field optional (list items stay whole): a user spec. */
function partial(schema: Schema): Schema {
  if (schema.kind !== 'object') return schema
  return {
    kind: 'object',
    fields: Object.fromEntries(
      Object.entries(schema.fields).map(([k, f]) => [k, { ...partial(f), optional: true }])
    )
  }
}
const USER_SCHEMA = partial(SPEC_SCHEMA)

/** Placeholders filled, validated, images listed once. */
function finishSpec(doc: unknown, source: string, versions: Record<string, unknown>): BundleSpec {
  const expanded = expand(isMapping(doc) ? { ...doc, versions } : doc, versions)
  const problems = validate(expanded, SPEC_SCHEMA)
  if (problems.length > 0) throw new SpecError(source, problems)
  const spec = expanded as BundleSpec
  // files may be left out, and the later fields too; the rest of kedge can rely on them.
  for (const s of SIDES) {
    ;(spec.sides[s] as Partial<SideSpec>).files ??= []
    spec.sides[s].images = [...new Set(spec.sides[s].images)]
  }
  ;(spec.pins as Partial<BundleSpec['pins']>).k3sImagesTxt ??= ''
  ;(spec as Partial<BundleSpec>).k3s ??= { servicelb: false }
  ;(spec as Partial<BundleSpec>).cloudcore ??= { controllerManager: false, admission: false }
  return spec
}

/**
 * Parses a user spec, which extends the built-in one: deep-merged, with its lists of images
 * and files appended, so a spec may hold only what it changes. The user's document is
 * validated on its own first, so every problem names its path in that file; all are
 * reported at once. `versions` overrides apply before placeholders are filled in.
 */
export function parseSpec(
  text: string,
  source: string,
  overrides: { versions?: Partial<BundleSpec['versions']> } = {}
): BundleSpec {
  const user = loadSpecYaml(text, source)
  const merged = mergeSpec(loadSpecYaml(DEFAULT_SPEC_YAML, 'the built-in spec'), user)
  const versions = versionsOf(merged, overrides)
  const problems = validate(expand(user, versions), USER_SCHEMA)
  if (problems.length > 0) throw new SpecError(source, problems)
  return finishSpec(merged, source, versions)
}

export function defaultSpec(
  overrides: { versions?: Partial<BundleSpec['versions']> } = {}
): BundleSpec {
  const doc = loadSpecYaml(DEFAULT_SPEC_YAML, 'the built-in spec')
  return finishSpec(doc, 'the built-in spec', versionsOf(doc, overrides))
}

/** The newest Kubernetes minor each KubeEdge minor is tested with (its embedded kubelet). */
const TESTED_KUBERNETES: Record<number, number> = { 20: 30, 21: 30, 22: 31 }

/** A warning when k3s's Kubernetes minor is above what the KubeEdge version is tested with. */
export function skewWarning(spec: BundleSpec): string | undefined {
  const kubeedge = semver.coerce(spec.versions.kubeedge)
  const k3s = semver.coerce(spec.versions.k3s)
  if (!kubeedge || !k3s) return undefined
  const tested = TESTED_KUBERNETES[kubeedge.minor]
  if (tested === undefined) {
    return `KubeEdge ${spec.versions.kubeedge}: kedge does not know which Kubernetes versions it is tested with; check its compatibility matrix against k3s ${spec.versions.k3s}`
  }
  if (k3s.minor > tested) {
    return `k3s ${spec.versions.k3s} runs Kubernetes 1.${k3s.minor}, above 1.${tested}, the newest KubeEdge ${spec.versions.kubeedge} is tested with (its edge kubelet is 1.${tested}); within Kubernetes' skew policy but outside KubeEdge's tested matrix`
  }
  return undefined
}

/**
 * The images a side's workloads will run, which its bundle must carry (besides the k3s
 * images on the cloud, checked against k3s-images.txt).
 */
export function requiredImages(spec: BundleSpec, s: Side, k3sImages: string[] = []): string[] {
  const ke = spec.versions.kubeedge
  if (s === 'edge') {
    return [
      `kubeedge/installation-package:${ke}`,
      spec.sandboxImage,
      ...edgeDaemonSets(spec, k3sImages).map(d => d.image)
    ]
  }
  return [
    `kubeedge/cloudcore:${ke}`,
    `kubeedge/iptables-manager:${ke}`,
    ...(spec.cloudcore.controllerManager ? [`kubeedge/controller-manager:${ke}`] : []),
    ...(spec.cloudcore.admission ? [`kubeedge/admission:${ke}`] : []),
    ...(spec.edgemesh.enabled ? [`kubeedge/edgemesh-agent:${spec.versions.edgemesh}`] : [])
  ]
}

/**
 * An image as a chart takes it (`image.repository`, `image.tag`): the reference as written,
 * split at its tag; a digest stays with the tag (`1.6.15@sha256:...`).
 */
export function chartImage(reference: string): { repository: string; tag: string } {
  const [name = reference, digest] = reference.split('@')
  const colon = name.lastIndexOf(':')
  if (colon <= name.lastIndexOf('/')) throw new Error(`image ${reference} has no tag`)
  return {
    repository: name.slice(0, colon),
    tag: `${name.slice(colon + 1)}${digest ? `@${digest}` : ''}`
  }
}

/** A DaemonSet the cloud side creates whose pods run on edge nodes too. */
export interface EdgeDaemonSet {
  /** Who creates it and its name. */
  daemonSet: string
  image: string
}

/** klipper-lb as k3s-images.txt names it (the image of servicelb's svclb-* DaemonSets). */
export function klipperLbImage(k3sImages: string[]): string | undefined {
  return k3sImages.find(i => /(^|\/)rancher\/klipper-lb:/.test(i))
}

/**
 * The cloud-side DaemonSets whose pods land on edge nodes, so the edge bundle must carry
 * their images: EdgeMesh's agent, the cloudcore chart's mosquitto (when enabled), and k3s
 * servicelb's svclb-* (when kept: they tolerate only control-plane taints and have no node
 * affinity, so they land on every node). `k3sImages` is k3s-images.txt, for klipper-lb.
 */
export function edgeDaemonSets(spec: BundleSpec, k3sImages: string[] = []): EdgeDaemonSet[] {
  const out: EdgeDaemonSet[] = []
  if (spec.mosquitto.enabled)
    out.push({ daemonSet: 'edge-eclipse-mosquitto (cloudcore chart)', image: spec.mosquitto.image })
  if (spec.edgemesh.enabled)
    out.push({
      daemonSet: 'edgemesh-agent (EdgeMesh chart)',
      image: `kubeedge/edgemesh-agent:${spec.versions.edgemesh}`
    })
  const klipper = klipperLbImage(k3sImages)
  if (spec.k3s.servicelb && klipper)
    out.push({ daemonSet: 'svclb-* (k3s servicelb, k3s.servicelb: true)', image: klipper })
  return out
}

/** Every image a side's bundle carries: its list plus the ones it must carry. */
export function sideImages(spec: BundleSpec, s: Side): string[] {
  return [...new Set([...spec.sides[s].images, ...requiredImages(spec, s)])]
}
