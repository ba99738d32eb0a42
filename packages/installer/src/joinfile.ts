/**
 * The join file: what the cloud hands to each edge, in /var/lib/kedge/edge-join.txt (0600).
 * `#` comment lines, then key=value lines: cloudcore-ipport, token, edgemesh, expires (the
 * token's JWT `exp`, RFC 3339 UTC). The edge takes it with --join-file; the token never
 * goes on a command line a user types.
 */
import { UsageError } from './errors.js'

export const JOIN_FILE = '/var/lib/kedge/edge-join.txt'

/** KubeEdge's token: the CA hash (64 hex), a dot, a JWT. */
export const TOKEN = /^[a-f0-9]{64}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

export interface JoinInfo {
  cloudcoreIpport?: string
  token?: string
  edgemesh?: boolean
  expires?: string
}

/**
 * When the token expires: the `exp` claim of its JWT (KubeEdge signs it for
 * 2 x tokenRefreshDuration, 24 h by default). Undefined when it carries none.
 */
export function tokenExpiry(token: string): Date | undefined {
  const payload = token.split('.')[2]
  if (!payload) return undefined
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      exp?: unknown
    }
    return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined
  } catch {
    return undefined
  }
}

/** "23 h 59 min" (or "expired 2 h 3 min ago") from now to `when`. */
export function timeLeft(when: Date, now = new Date()): string {
  const minutes = Math.round(Math.abs(when.getTime() - now.getTime()) / 60000)
  const span = `${Math.floor(minutes / 60)} h ${minutes % 60} min`
  return when.getTime() > now.getTime() ? span : `expired ${span} ago`
}

/** RFC 3339 UTC to the second (the JWT exp has no fraction). */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

export function formatJoinFile(info: {
  cloudcoreIpport: string
  token: string
  edgemesh: boolean
}): string {
  const exp = tokenExpiry(info.token)
  return [
    '# kedge edge join file, written on the cloud by install.js cloud (or token); mode 0600.',
    '# It holds a secret: copy it to the edge host only, then run there, in the edge bundle:',
    '#   sudo ./install.sh edge --join-file edge-join.txt --yes',
    '# The token expires (about 24 h); mint a fresh one on the cloud: sudo ./install.sh token',
    `cloudcore-ipport=${info.cloudcoreIpport}`,
    `token=${info.token}`,
    `edgemesh=${String(info.edgemesh)}`,
    ...(exp ? [`expires=${rfc3339(exp)}`] : []),
    ''
  ].join('\n')
}

/** Reads a join file; an unknown key or a malformed line is an error naming the line. */
export function parseJoinFile(text: string, file: string): JoinInfo {
  const info: JoinInfo = {}
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-z-]+)=(.*)$/.exec(line)
    const where = `${file} line ${i + 1}`
    if (!m?.[1]) throw new UsageError(`--join-file: ${where} is not key=value`)
    const value = m[2] ?? ''
    if (m[1] === 'cloudcore-ipport') info.cloudcoreIpport = value
    else if (m[1] === 'token') info.token = value
    else if (m[1] === 'expires') info.expires = value
    else if (m[1] === 'edgemesh') {
      if (value !== 'true' && value !== 'false')
        throw new UsageError(`--join-file: ${where}: edgemesh must be true or false`)
      info.edgemesh = value === 'true'
    } else
      throw new UsageError(
        `--join-file: ${where}: unknown key "${m[1]}" (expected cloudcore-ipport, token, edgemesh, expires)`
      )
  }
  return info
}
