/**
 * Registry credentials and the token flow.
 * Credentials come from action inputs (one registry) or a docker config.json `auths` map;
 * they are looked up by the host actually contacted, so they never go to another registry.
 */
import { DOCKER_HUB, DOCKER_HUB_API } from './reference.js'

export interface Credential {
  username: string
  password: string
}

/** Canonical host for credential lookup: scheme and path dropped, Docker Hub aliases folded. */
export function credentialHost(key: string): string {
  let host = key.trim().replace(/^[a-z]+:\/\//i, '')
  host = host.split('/')[0] ?? host
  host = host.toLowerCase()
  if (host === 'index.docker.io' || host === DOCKER_HUB_API || host === 'registry.hub.docker.com') {
    return DOCKER_HUB
  }
  return host
}

export class CredentialStore {
  private readonly byHost = new Map<string, Credential>()

  set(host: string, credential: Credential): void {
    this.byHost.set(credentialHost(host), credential)
  }

  get(host: string): Credential | undefined {
    return this.byHost.get(credentialHost(host))
  }

  get size(): number {
    return this.byHost.size
  }

  /** Every secret held, for masking in logs. */
  secrets(): string[] {
    return [...this.byHost.values()].flatMap(c => [
      c.password,
      Buffer.from(`${c.username}:${c.password}`).toString('base64')
    ])
  }

  /**
   * Adds the `auths` entries of a docker config.json. `source` names it in errors.
   * Entries given as `auth` (base64 user:password) or as username/password are read;
   * credential helpers (credsStore, credHelpers) cannot run here and are reported.
   */
  addDockerConfig(content: string, source: string): string[] {
    let doc: unknown
    try {
      doc = JSON.parse(content)
    } catch (err) {
      throw new Error(`registry-auth (${source}) is not valid JSON: ${(err as Error).message}`, {
        cause: err
      })
    }
    if (typeof doc !== 'object' || doc === null) {
      throw new Error(`registry-auth (${source}) must be a JSON object with an "auths" map`)
    }
    const notes: string[] = []
    const { auths, credsStore, credHelpers } = doc as {
      auths?: Record<string, { auth?: string; username?: string; password?: string }>
      credsStore?: string
      credHelpers?: Record<string, string>
    }
    if (credsStore || credHelpers) {
      notes.push(
        `registry-auth (${source}) names credential helpers; kedge reads only "auths" entries`
      )
    }
    for (const [key, entry] of Object.entries(auths ?? {})) {
      let username = entry.username
      let password = entry.password
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
        const colon = decoded.indexOf(':')
        if (colon < 0) {
          throw new Error(
            `registry-auth (${source}): auths["${key}"].auth is not base64 of "user:password"`
          )
        }
        username = decoded.slice(0, colon)
        password = decoded.slice(colon + 1)
      }
      if (username && password) this.set(key, { username, password })
    }
    return notes
  }
}

export function basicAuth(c: Credential): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`
}

export interface Challenge {
  scheme: string
  params: Record<string, string>
}

/** Parses `WWW-Authenticate: Bearer realm="...",service="...",scope="..."`. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined
  const match = /^\s*(\w+)\s*(.*)$/.exec(header)
  if (!match) return undefined
  const params: Record<string, string> = {}
  for (const m of (match[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    const key = m[1]
    if (key) params[key.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1')
  }
  return { scheme: (match[1] ?? '').toLowerCase(), params }
}
