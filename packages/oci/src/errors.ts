/** Error helpers: recognizing errors across realms and saying what went wrong. */
import { inspect, types } from 'node:util'

/** True for any Error, also one made in another realm (Node's own fetch, a vm context). */
export function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value)
}

/**
 * A network error with its causes, which Node's fetch hides behind "fetch failed":
 * "fetch failed: connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)".
 */
export function describeError(err: unknown): string {
  const parts: string[] = []
  let current: unknown = err
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (!isError(current)) {
      parts.push(typeof current === 'string' ? current : inspect(current))
      break
    }
    const code = (current as { code?: unknown }).code
    const text =
      current.message +
      (typeof code === 'string' && !current.message.includes(code) ? ` (${code})` : '')
    const tidy = text.replace(/\s+/g, ' ').trim()
    if (tidy && !parts.includes(tidy)) parts.push(tidy)
    current = current.cause
  }
  return parts.join(': ')
}

/** A hint for a TLS failure against a server that may speak plain HTTP. */
export function tlsHint(description: string, host: string): string {
  return /EPROTO|wrong version number|packet length too long|ERR_SSL/i.test(description)
    ? `; if ${host} serves plain HTTP, list it in insecure-registries`
    : ''
}
