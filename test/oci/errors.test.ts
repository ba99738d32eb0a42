import { afterEach, describe, expect, test } from '@jest/globals'
import { CertificateError, certificateError, describeError, isCertificateError } from '@kedge/oci'

const nodeError = (message: string, code: string) => Object.assign(new Error(message), { code })

describe('refused TLS certificates', () => {
  const saved = process.env.NODE_EXTRA_CA_CERTS
  afterEach(() => {
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS
    else process.env.NODE_EXTRA_CA_CERTS = saved
  })

  test('an untrusted one names the host, the cause and NODE_EXTRA_CA_CERTS', () => {
    delete process.env.NODE_EXTRA_CA_CERTS
    const cause = nodeError('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT')
    const err = certificateError(cause, 'registry.example:5000')
    expect(err).toBeInstanceOf(CertificateError)
    expect(err).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', cause })
    expect(describeError(err)).toBe(
      "the TLS certificate of registry.example:5000 is not trusted (self-signed certificate, DEPTH_ZERO_SELF_SIGNED_CERT): if the registry uses a private CA or a self-signed certificate, set NODE_EXTRA_CA_CERTS to a PEM file holding it (node reads it at start-up: set it in the step's env); insecure-registries is only for registries that serve plain HTTP"
    )
  })

  test('with NODE_EXTRA_CA_CERTS set, it says that file holds no CA that signed it', () => {
    process.env.NODE_EXTRA_CA_CERTS = '/etc/ssl/private-ca.pem'
    const cause = nodeError(
      'unable to get local issuer certificate',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
    )
    expect(certificateError(cause, 'r.example')?.message).toContain(
      'is not trusted (unable to get local issuer certificate, UNABLE_TO_GET_ISSUER_CERT_LOCALLY): NODE_EXTRA_CA_CERTS (/etc/ssl/private-ca.pem) holds no CA that signed it'
    )
  })

  test('expired, and for another name', () => {
    const expired = certificateError(
      nodeError('certificate has expired', 'CERT_HAS_EXPIRED'),
      'r.example'
    )
    expect(expired?.message).toBe(
      "the TLS certificate of r.example is not valid now (certificate has expired, CERT_HAS_EXPIRED): renew it on the registry, or check this machine's clock"
    )
    const name = nodeError(
      "Hostname/IP does not match certificate's altnames: Host: r.example. is not in the cert's altnames: DNS:other.example",
      'ERR_TLS_CERT_ALTNAME_INVALID'
    )
    expect(certificateError(name, 'r.example')?.message).toMatch(
      /^the TLS certificate of r\.example is refused \(Hostname\/IP does not match .*, ERR_TLS_CERT_ALTNAME_INVALID\)$/
    )
  })

  test('other errors are left alone; a refused certificate is found in a cause chain', () => {
    const refused = nodeError('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')
    expect(certificateError(refused, 'r.example')).toBeUndefined()
    expect(
      certificateError(nodeError('wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'), 'x')
    ).toBeUndefined()
    expect(isCertificateError(refused)).toBe(false)
    const wrapped = new Error('blob failed', {
      cause: nodeError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN')
    })
    expect(isCertificateError(wrapped)).toBe(true)
  })
})
