/**
 * The site's trust anchor: a public key (PEM) given with --trust-key FILE, or placed once
 * per site at /etc/kedge/trust.pem. With one, the bundle's SHA256SUMS must carry a valid
 * SHA256SUMS.sig beside it, made the way openssl makes it, so the operator can check the
 * same signature by hand with no network:
 *   ECDSA P-256: openssl dgst -sha256 -sign key.pem -out SHA256SUMS.sig SHA256SUMS
 *   Ed25519:     openssl pkeyutl -sign -rawin -inkey key.pem -in SHA256SUMS -out SHA256SUMS.sig
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'

export const SITE_TRUST_KEY = '/etc/kedge/trust.pem'

export interface TrustKey {
  key: KeyObject
  /** Where it came from, for messages: `--trust-key FILE` or the site key's path. */
  source: string
}

export class TrustError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TrustError'
  }
}

/** Reads a PEM public key: ECDSA P-256 or Ed25519; anything else is refused. */
export function loadTrustKey(file: string, source: string): TrustKey {
  let pem: string
  try {
    pem = readFileSync(file, 'utf8')
  } catch (err) {
    throw new TrustError(`${source}: cannot read ${file}: ${(err as Error).message}`)
  }
  let key: KeyObject
  try {
    key = createPublicKey(pem)
  } catch (err) {
    throw new TrustError(
      `${source}: ${file} is not a PEM public key (${(err as Error).message}); give the release's kedge-release.pub.pem`
    )
  }
  const type = key.asymmetricKeyType
  const curve = key.asymmetricKeyDetails?.namedCurve
  if (type !== 'ed25519' && !(type === 'ec' && curve === 'prime256v1'))
    throw new TrustError(
      `${source}: ${file} is a ${type ?? 'unknown'}${curve ? ` (${curve})` : ''} key; kedge signs with ECDSA P-256 or Ed25519`
    )
  return { key, source }
}

/** Why `signature` is not a valid signature of `data` by `trust`, or undefined when it is. */
export function verifySignature(
  data: Buffer,
  signature: Buffer,
  trust: TrustKey
): string | undefined {
  const algorithm = trust.key.asymmetricKeyType === 'ed25519' ? null : 'sha256'
  let ok: boolean
  try {
    ok = verify(algorithm, data, trust.key, signature)
  } catch {
    ok = false
  }
  return ok
    ? undefined
    : `not a valid signature of SHA256SUMS by the key in ${trust.source}: the bundle was changed after signing, or signed with another key`
}
