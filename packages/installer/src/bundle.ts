/**
 * The bundle the installer ships in: checked file by file against SHA256SUMS (and nothing
 * unlisted beside it) before any change to the host, and its meta/bundle.json read.
 * Nothing in the bundle is followed: a symbolic link, a FIFO, a device or a directory where
 * a file belongs is refused by name, never opened (a FIFO would hang, a link would let a
 * file outside the bundle pass the check, a link loop would never end).
 */
import { createHash } from 'node:crypto'
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  type Stats
} from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { checkBundleValues } from './bundle-values.js'
import { verifySignature, type TrustKey } from './trust.js'

export interface BundleInfo {
  dir: string
  name: string
  side: 'cloud' | 'edge'
  arch: 'amd64' | 'arm64'
  versions: { kubeedge: string; edgemesh: string; k3s: string; containerd: string; node: string }
  /** repository and tag: the image split for the cloudcore chart, checked to join into it. */
  mosquitto: { enabled: boolean; image: string; repository: string; tag: string }
  edgemesh: { enabled: boolean }
  sandboxImage: string
  images: Array<{ name: string; manifestDigest: string; size: number }>
  /**
   * Read defensively (older bundles lack them): k3s's servicelb (off unless true), and the
   * cloudcore chart's optional components, which the cloud bundle carries only when on.
   */
  k3s?: { servicelb?: boolean }
  cloudcore?: { controllerManager?: boolean; admission?: boolean }
}

export class BundleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BundleError'
  }
}

/** Files a bundle carries that SHA256SUMS cannot list: itself and its signature. */
export const UNLISTED = new Set(['SHA256SUMS', 'SHA256SUMS.sig'])

/** What a non-regular file is, for messages. */
function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link'
  if (st.isDirectory()) return 'a directory'
  if (st.isFIFO()) return 'a FIFO'
  if (st.isSocket()) return 'a socket'
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'a device'
  return 'not a regular file'
}

/**
 * Every regular file under `dir` (relative paths), walked without following links; the
 * entries that are neither a directory nor a regular file go to `odd`.
 */
function walk(dir: string, odd: string[], prefix = ''): string[] {
  const files: string[] = []
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name
    if (entry.isDirectory()) files.push(...walk(dir, odd, rel))
    else if (entry.isFile()) files.push(rel)
    else odd.push(`${rel}: ${kindOf(lstatSync(join(dir, rel)))}; a bundle holds only regular files`)
  }
  return files
}

/** sha256 of a regular file, opened without following a link and without blocking on a FIFO. */
async function sha256(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    if (!(await handle.stat()).isFile()) throw new BundleError(`${file} is not a regular file`)
    const hash = createHash('sha256')
    for await (const chunk of handle.createReadStream({ highWaterMark: 1024 * 1024 }))
      hash.update(chunk as Buffer)
    return hash.digest('hex')
  } finally {
    await handle.close()
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch {
    return undefined
  }
}

/** A listed name that would reach outside the bundle (absolute, `..`, empty parts). */
const unsafeName = (name: string): boolean =>
  name.startsWith('/') || name.split('/').some(p => p === '' || p === '.' || p === '..')

function readSums(dir: string): { text: string; listed: Map<string, string> } {
  const sumsFile = join(dir, 'SHA256SUMS')
  const st = lstatOrUndefined(sumsFile)
  if (!st)
    throw new BundleError(`${dir} has no SHA256SUMS: not a kedge bundle, or an incomplete copy`)
  if (!st.isFile())
    throw new BundleError(`${sumsFile} is ${kindOf(st)}, not a regular file; refusing the bundle`)
  const text = readNoFollow(sumsFile).toString('utf8')
  const listed = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^([a-f0-9]{64}) {2}(.+)$/.exec(line)
    if (m?.[1] && m[2]) listed.set(m[2], m[1])
  }
  return { text, listed }
}

/** A file's bytes, opened without following a link and without blocking on a FIFO. */
function readNoFollow(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    if (!fstatSync(fd).isFile()) throw new BundleError(`${file} is not a regular file`)
    return readFileSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * The problems of `dir` against SHA256SUMS: odd entries first, then each listed file. Every
 * listed file is checked for presence and type; its sha256 only when `hashed(file)`.
 */
async function checkFiles(
  dir: string,
  listed: Map<string, string>,
  hashed: (file: string) => boolean
): Promise<string[]> {
  const odd: string[] = []
  const present = new Set(walk(dir, odd))
  const problems = [...odd]
  for (const [file, expected] of listed) {
    if (unsafeName(file)) {
      problems.push(`${file}: not a path inside the bundle`)
      continue
    }
    const st = lstatOrUndefined(join(dir, file))
    if (!st) problems.push(`${file}: missing`)
    else if (!st.isFile()) {
      if (!odd.some(o => o.startsWith(`${file}: `)))
        problems.push(`${file}: ${kindOf(st)}, not a regular file`)
    } else if (!present.has(file)) problems.push(`${file}: reached through a symbolic link`)
    else if (hashed(file) && (await sha256(join(dir, file))) !== expected)
      problems.push(`${file}: changed (sha256 differs from SHA256SUMS)`)
  }
  for (const file of present) {
    if (!listed.has(file) && !UNLISTED.has(file)) problems.push(`${file}: not in SHA256SUMS`)
  }
  return problems
}

/** The one file of the bundle that plan reads, and so the one file plan hashes. */
export const BUNDLE_META = 'meta/bundle.json'

export interface VerifyOptions {
  /**
   * Hash every listed file (the default, before anything changes the host). false: plan,
   * which reads only meta/bundle.json, hashes only that file; the listing, the file types
   * and the signature are checked all the same. Hashing the image archives would cost
   * plan about 1 s per GiB. No cache of earlier sums stands in: plan writes nothing, not
   * even a log. (A cache keyed by size, mtime and inode would pass a file rewritten in
   * place whose mtime was set back with touch; ctime in the key closes that to all but
   * root, who can set the clock.)
   */
  hashAll?: boolean
}

/**
 * Verifies every file against SHA256SUMS; refuses a changed, missing, unlisted or
 * non-regular file. With a trust key, SHA256SUMS.sig must be its valid signature.
 */
export async function verifyBundle(
  dir: string,
  trust?: TrustKey,
  { hashAll = true }: VerifyOptions = {}
): Promise<BundleInfo> {
  const { text, listed } = readSums(dir)
  const problems = await checkFiles(dir, listed, f => hashAll || f === BUNDLE_META)
  if (problems.length > 0) {
    throw new BundleError(
      `the bundle in ${dir} does not match its SHA256SUMS; refusing to install from it:\n  ${problems.join('\n  ')}\ncopy the bundle again from its release (check the tarball against the release's SHA256SUMS)`
    )
  }
  if (trust) {
    const sig = join(dir, 'SHA256SUMS.sig')
    const st = lstatOrUndefined(sig)
    if (!st?.isFile())
      throw new BundleError(
        `${sig} is missing: the bundle is not signed, and ${trust.source} asks for a signed bundle; use a bundle from a signed release, or check its origin and run without the key`
      )
    const problem = verifySignature(Buffer.from(text, 'utf8'), readNoFollow(sig), trust)
    if (problem) throw new BundleError(`${sig}: ${problem}; refusing the bundle`)
  }
  if (!listed.has(BUNDLE_META))
    throw new BundleError(`${dir}/meta/bundle.json is missing: not a kedge bundle`)
  let info: unknown
  try {
    info = JSON.parse(readNoFollow(join(dir, 'meta', 'bundle.json')).toString('utf8'))
  } catch (err) {
    throw new BundleError(`${dir}/meta/bundle.json is not valid JSON: ${(err as Error).message}`)
  }
  const bad = checkBundleValues(info)
  if (bad.length > 0)
    throw new BundleError(
      `${dir}/meta/bundle.json holds values the installer will not use (they would reach a shell, TOML or YAML):\n  ${bad.join('\n  ')}\nrebuild the bundle from a valid spec`
    )
  return { ...(info as BundleInfo), dir }
}
