/**
 * Upstream checksum files, each project in its own format:
 *  - KubeEdge: checksum_<asset>.txt, a bare SHA-512 hex digest;
 *  - k3s sha256sum-<arch>.txt, containerd .sha256sum, runc runc.sha256sum, CNI .sha256,
 *    Helm .sha256sum, Node.js SHASUMS256.txt: `<hex>  <name>` lines (sha256sum's format).
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

export type Algorithm = 'sha256' | 'sha512'
export type ChecksumFormat = 'bare' | 'sum'

const HEX_LENGTH: Record<Algorithm, number> = { sha256: 64, sha512: 128 }

/**
 * The digest for `entry` in a checksum file's `text`. `source` (its URL) names the file in
 * errors. A `bare` file holds one digest; a `sum` file lists `<hex>  <name>` lines.
 */
export function parseChecksum(
  text: string,
  options: { algorithm: Algorithm; format: ChecksumFormat; entry: string; source: string }
): string {
  const length = HEX_LENGTH[options.algorithm]
  const hex = new RegExp(`^[a-fA-F0-9]{${length}}$`)
  const lines = text
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean)
  if (options.format === 'bare') {
    const first = lines[0]?.split(/\s+/)[0] ?? ''
    if (!hex.test(first)) {
      throw new Error(
        `checksum file ${options.source} does not hold a ${options.algorithm} digest (${length} hex digits)`
      )
    }
    return first.toLowerCase()
  }
  for (const line of lines) {
    const m = /^([a-fA-F0-9]+)\s+\*?(.+)$/.exec(line)
    if (!m?.[1] || !m[2]) continue
    const name = m[2].trim()
    if (name === options.entry || name.split('/').pop() === options.entry) {
      if (!hex.test(m[1]))
        throw new Error(
          `checksum file ${options.source}: the digest for ${options.entry} is not ${options.algorithm}`
        )
      return m[1].toLowerCase()
    }
  }
  throw new Error(`checksum file ${options.source} lists no entry for ${options.entry}`)
}

export async function hashFile(file: string, algorithm: Algorithm): Promise<string> {
  const hash = createHash(algorithm)
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer)
  return hash.digest('hex')
}
