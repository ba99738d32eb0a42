/**
 * The bundle the installer ships in: checked file by file against SHA256SUMS (and nothing
 * unlisted beside it) before any change to the host, and its meta/bundle.json read.
 */
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

export interface BundleInfo {
  dir: string
  name: string
  side: 'cloud' | 'edge'
  arch: 'amd64' | 'arm64'
  versions: { kubeedge: string; edgemesh: string; k3s: string; containerd: string; node: string }
  mosquitto: { enabled: boolean; image: string }
  edgemesh: { enabled: boolean }
  sandboxImage: string
  images: Array<{ name: string; manifestDigest: string; size: number }>
  /**
   * Read defensively (older bundles lack them): k3s's servicelb (off unless true), and the
   * cloudcore chart's optional components, which the cloud bundle carries only when on.
   */
  k3s?: { servicelb?: boolean }
  cloudcore?: { controllerManager?: { enabled?: boolean }; admission?: { enabled?: boolean } }
}

export class BundleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BundleError'
  }
}

function listFiles(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap(name => {
    const full = join(dir, name)
    return statSync(full).isDirectory() ? listFiles(full, root) : [relative(root, full)]
  })
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Verifies every file against SHA256SUMS; refuses a changed, missing or unlisted file. */
export async function verifyBundle(dir: string): Promise<BundleInfo> {
  const sumsFile = join(dir, 'SHA256SUMS')
  if (!existsSync(sumsFile))
    throw new BundleError(`${dir} has no SHA256SUMS: not a kedge bundle, or an incomplete copy`)
  const listed = new Map<string, string>()
  for (const line of readFileSync(sumsFile, 'utf8').split('\n')) {
    const m = /^([a-f0-9]{64}) {2}(.+)$/.exec(line)
    if (m?.[1] && m[2]) listed.set(m[2], m[1])
  }
  const problems: string[] = []
  for (const [file, expected] of listed) {
    const full = join(dir, file)
    if (!existsSync(full)) problems.push(`${file}: missing`)
    else if ((await sha256(full)) !== expected)
      problems.push(`${file}: changed (sha256 differs from SHA256SUMS)`)
  }
  // Written by a previous run of this installer inside the bundle: not part of it.
  const own = new Set(['SHA256SUMS'])
  for (const file of listFiles(dir)) {
    if (!listed.has(file) && !own.has(file)) problems.push(`${file}: not in SHA256SUMS`)
  }
  if (problems.length > 0) {
    throw new BundleError(
      `the bundle in ${dir} does not match its SHA256SUMS; refusing to install from it:\n  ${problems.join('\n  ')}\ncopy the bundle again from its release (check the tarball against the release's SHA256SUMS)`
    )
  }
  const info = JSON.parse(readFileSync(join(dir, 'meta', 'bundle.json'), 'utf8')) as BundleInfo
  return { ...info, dir }
}
