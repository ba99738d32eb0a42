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
    // A CertificateError's message already says what its cause does.
    if (current instanceof CertificateError) break
    current = current.cause
  }
  return parts.join(': ')
}

/**
 * A hint for a scheme mismatch: TLS spoken to a plain-HTTP server, or plain HTTP to an
 * HTTPS one (a registry listed in insecure-registries that serves HTTPS: Go's server then
 * answers 400 "Client sent an HTTP request to an HTTPS server.").
 */
export function tlsHint(description: string, host: string): string {
  if (/EPROTO|wrong version number|packet length too long|ERR_SSL/i.test(description)) {
    return `; if ${host} serves plain HTTP, list it in insecure-registries`
  }
  if (/HTTP request to an HTTPS server/i.test(description)) {
    return `; ${host} serves HTTPS: take it out of insecure-registries (a private CA or a self-signed certificate is trusted through NODE_EXTRA_CA_CERTS)`
  }
  return ''
}

/** OpenSSL's verdicts on a chain no trusted CA vouches for (a private CA, a self-signed one). */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED'
])
const NOT_NOW = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'])
/** The other verdicts on a server's certificate (node's tls and OpenSSL's X509_V_ERR names). */
const REJECTED = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'IP_ADDRESS_MISMATCH',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'CA_KEY_TOO_SMALL',
  'EE_KEY_TOO_SMALL',
  'CA_MD_TOO_WEAK'
])

/** True when `err` is node refusing a server's certificate (by its code). */
function refusesCertificate(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return (
    typeof code === 'string' && (UNTRUSTED.has(code) || NOT_NOW.has(code) || REJECTED.has(code))
  )
}

/**
 * A server's TLS certificate was refused. The message names the host and says what to do;
 * `code` is node's (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ...). Not worth a retry.
 */
export class CertificateError extends Error {
  readonly code: string

  constructor(
    readonly host: string,
    cause: Error & { code: string }
  ) {
    super(certificateMessage(host, cause), { cause })
    this.name = 'CertificateError'
    this.code = cause.code
  }
}

function certificateMessage(host: string, cause: Error & { code: string }): string {
  const why = `${cause.message.replace(/\s+/g, ' ').trim()}, ${cause.code}`
  if (UNTRUSTED.has(cause.code)) {
    const extra = process.env.NODE_EXTRA_CA_CERTS
    const trust = extra
      ? `NODE_EXTRA_CA_CERTS (${extra}) holds no CA that signed it: put the registry's CA certificate (or its self-signed certificate) there`
      : `if the registry uses a private CA or a self-signed certificate, set NODE_EXTRA_CA_CERTS to a PEM file holding it (node reads it at start-up: set it in the step's env)`
    return `the TLS certificate of ${host} is not trusted (${why}): ${trust}; insecure-registries is only for registries that serve plain HTTP`
  }
  if (NOT_NOW.has(cause.code)) {
    return `the TLS certificate of ${host} is not valid now (${why}): renew it on the registry, or check this machine's clock`
  }
  return `the TLS certificate of ${host} is refused (${why})`
}

/** `err` as a CertificateError for `host` when it is node refusing a certificate; else undefined. */
export function certificateError(err: unknown, host: string): CertificateError | undefined {
  if (err instanceof CertificateError) return err
  if (!isError(err) || !refusesCertificate(err)) return undefined
  return new CertificateError(host, err as Error & { code: string })
}

/** A refused certificate, anywhere in the cause chain: retrying will not change it. */
export function isCertificateError(err: unknown): boolean {
  let current: unknown = err
  for (let depth = 0; depth < 4 && isError(current); depth++) {
    if (current instanceof CertificateError || refusesCertificate(current)) return true
    current = current.cause
  }
  return false
}

/**
 * A proxy's refusal to tunnel or forward (an answer to CONNECT other than 200). 407 and 403
 * are `permanent` (credentials or policy: retrying will not change them); a 502 or 504 (the
 * proxy could not reach the registry) is retried like any network failure.
 */
export class ProxyRefusal extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message)
    this.name = 'ProxyRefusal'
  }

  get permanent(): boolean {
    return this.status === 407 || this.status === 403
  }
}

/** A proxy setting (HTTPS_PROXY and the like) that cannot be used as it is. */
export class ProxySettingError extends Error {
  override name = 'ProxySettingError'
}

/** Retrying will not help: a refused certificate, a proxy refusing for good or unusable. */
export function isPermanentError(err: unknown): boolean {
  let current: unknown = err
  for (let depth = 0; depth < 4 && isError(current); depth++) {
    if (current instanceof ProxyRefusal && current.permanent) return true
    if (current instanceof ProxySettingError) return true
    current = current.cause
  }
  return isCertificateError(err)
}
