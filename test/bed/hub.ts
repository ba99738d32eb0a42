/**
 * Docker Hub's pull accounting, played by the fault proxy (simulated: the rules as Docker
 * documents them and as issue 14 states them, not Docker's code):
 *  - a pull is a GET of a manifest by tag (or by a digest the client did not learn from an
 *    index this proxy served); the platform manifests fetched by digest from that index
 *    are part of the same pull; HEAD requests never count;
 *  - every manifest answer carries `ratelimit-limit: N;w=S` and `ratelimit-remaining: R;w=S`
 *    (the format registry-1.docker.io sends) and `docker-ratelimit-source`;
 *  - past the limit a pull is refused with 429 TOOMANYREQUESTS, `Retry-After` and
 *    `ratelimit-remaining: 0`; a refused pull does not count.
 */
export interface HubLimits {
  /** Pulls allowed in the window (Docker Hub: 10 an hour anonymous, 100 authenticated). */
  limit: number
  /** Window in seconds; default 3600. */
  windowSeconds?: number
  /** Retry-After on a refusal, seconds; default: until the window ends. */
  retryAfterSeconds?: number
  /** Also send `ratelimit-reset` (seconds) on refusals. */
  sendReset?: boolean
}

export interface HubAccount {
  readonly pulls: number
  /** GET requests for manifests (counted or not). */
  readonly manifestGets: number
  /**
   * Admits a request: a pull within the limit is counted at once (concurrent pulls cannot
   * slip past the limit); a pull past it gets the 429 answer to send.
   */
  admit(method: string, path: string): Admission
  /** Headers every manifest answer carries. */
  headers(path: string): Record<string, string>
  /** Whether the answer's body is wanted (a GET of a manifest). */
  wantsBody(method: string, path: string): boolean
  /** Records an answer (its body when wantsBody was true); a counted pull that failed is not a pull. */
  served(admission: Admission, status: number, body?: Buffer): void
}

export interface Admission {
  counted: boolean
  refusal?: { headers: Record<string, string>; body: string }
}

const MANIFEST = /\/v2\/(.+)\/manifests\/([^/]+)$/

export function hubAccount(limits: HubLimits): HubAccount {
  const window = limits.windowSeconds ?? 3600
  const children = new Set<string>()
  let pulls = 0
  let manifestGets = 0
  let windowStart = Date.now()
  /** A new window starts `window` seconds after the last one started: the count resets. */
  const tick = (): void => {
    if (Date.now() - windowStart >= window * 1000) {
      windowStart = Date.now()
      pulls = 0
    }
  }
  const isPull = (path: string): boolean => {
    const reference = MANIFEST.exec(path)?.[2] ?? ''
    return !children.has(reference)
  }
  const rate = (remaining: number): Record<string, string> => ({
    'ratelimit-limit': `${limits.limit};w=${window}`,
    'ratelimit-remaining': `${Math.max(0, remaining)};w=${window}`,
    'docker-ratelimit-source': '127.0.0.1'
  })
  return {
    get pulls() {
      return pulls
    },
    get manifestGets() {
      return manifestGets
    },
    admit(method, path) {
      if (method !== 'GET' || !MANIFEST.test(path)) return { counted: false }
      manifestGets += 1
      tick()
      if (!isPull(path)) return { counted: false }
      if (pulls < limits.limit) {
        pulls += 1
        return { counted: true }
      }
      const retryAfter =
        limits.retryAfterSeconds ??
        Math.max(1, Math.ceil(window - (Date.now() - windowStart) / 1000))
      const refusal = {
        headers: {
          ...rate(0),
          'retry-after': String(retryAfter),
          ...(limits.sendReset ? { 'ratelimit-reset': String(retryAfter) } : {}),
          'content-type': 'application/json'
        },
        body: JSON.stringify({
          errors: [
            {
              code: 'TOOMANYREQUESTS',
              message:
                'You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit'
            }
          ]
        })
      }
      return { counted: false, refusal }
    },
    headers(path) {
      return MANIFEST.test(path) ? rate(limits.limit - pulls) : {}
    },
    wantsBody(method, path) {
      return method === 'GET' && MANIFEST.test(path)
    },
    served(admission, status, body) {
      if (admission.counted && status !== 200) pulls -= 1
      if (status !== 200 || !body) return
      try {
        const doc = JSON.parse(body.toString('utf8')) as {
          manifests?: Array<{ digest?: string }>
        }
        for (const m of doc.manifests ?? []) if (m.digest) children.add(m.digest)
      } catch {
        // Not JSON: nothing to learn.
      }
    }
  }
}
