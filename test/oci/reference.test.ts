import { describe, expect, test } from '@jest/globals'
import {
  archiveFileName,
  formatReference,
  manifestReference,
  parseReference,
  ReferenceError
} from '@kedge/oci'

const D = `sha256:${'a'.repeat(64)}`

describe('parseReference normalizes as Docker does', () => {
  test.each([
    ['eclipse-mosquitto:2.0', 'docker.io/library/eclipse-mosquitto:2.0'],
    ['eclipse-mosquitto', 'docker.io/library/eclipse-mosquitto:latest'],
    ['kubeedge/cloudcore:v1.22.0', 'docker.io/kubeedge/cloudcore:v1.22.0'],
    ['docker.io/kubeedge/pause:3.6', 'docker.io/kubeedge/pause:3.6'],
    ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    ['localhost/app:1', 'localhost/app:1'],
    ['localhost:5000/team/app:1', 'localhost:5000/team/app:1'],
    ['127.0.0.1:5000/kubeedge/cloudcore:v1.22.0', '127.0.0.1:5000/kubeedge/cloudcore:v1.22.0'],
    ['ghcr.io/org/deep/path/img:tag_1.2-x', 'ghcr.io/org/deep/path/img:tag_1.2-x'],
    [`kubeedge/cloudcore@${D}`, `docker.io/kubeedge/cloudcore@${D}`],
    [`kubeedge/cloudcore:v1.22.0@${D}`, `docker.io/kubeedge/cloudcore:v1.22.0@${D}`],
    [
      'rancher/mirrored-coredns-coredns:1.13.1',
      'docker.io/rancher/mirrored-coredns-coredns:1.13.1'
    ],
    ['  padded:1  ', 'docker.io/library/padded:1']
  ])('%s -> %s', (input, expected) => {
    expect(formatReference(parseReference(input))).toBe(expected)
  })

  test('an upper-case first component is a registry host, as in Docker', () => {
    expect(parseReference('Kubeedge/cloudcore:v1')).toEqual({
      registry: 'Kubeedge',
      repository: 'cloudcore',
      tag: 'v1'
    })
  })

  test('a digest without a tag asks for the digest; with a tag, still the digest', () => {
    expect(manifestReference(parseReference(`x@${D}`))).toBe(D)
    expect(manifestReference(parseReference(`x:1@${D}`))).toBe(D)
    expect(manifestReference(parseReference('x:1'))).toBe('1')
  })

  test.each([
    ['', 'it is empty'],
    ['bad_host:5000/cloudcore:v1', 'registry "bad_host:5000" is not a valid'],
    ['kubeedge/CloudCore:v1', 'repository names must be lower-case'],
    ['kubeedge/cloud core:v1', 'white space'],
    ['kubeedge/cloudcore:', 'tag "" is not valid'],
    ['kubeedge/cloudcore:-bad', 'tag "-bad" is not valid'],
    ['kubeedge/cloudcore@sha256:abc', 'is not sha256:<64'],
    ['kubeedge/cloudcore@md5:' + 'a'.repeat(32), 'is not sha256:<64'],
    ['https://docker.io/kubeedge/cloudcore', 'not a URL'],
    ['docker.io/', 'repository name is missing'],
    ['kubeedge//cloudcore', 'path component "" is not valid'],
    ['a'.repeat(250) + '/b'.repeat(5), 'longer than 255']
  ])('rejects %j, quoting it', (input, reason) => {
    let error: unknown
    try {
      parseReference(input)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ReferenceError)
    expect((error as Error).message).toContain(`invalid image reference "${input}"`)
    expect((error as Error).message).toContain(reason)
  })
})

describe('archiveFileName', () => {
  test('follows the operator docs naming', () => {
    expect(archiveFileName(parseReference('kubeedge/cloudcore:v1.22.0'))).toBe(
      'docker.io-kubeedge-cloudcore-v1.22.0.tar'
    )
    expect(archiveFileName(parseReference('127.0.0.1:5000/a/b:1'))).toBe('127.0.0.1-5000-a-b-1.tar')
    expect(archiveFileName(parseReference(`a/b@${D}`))).toBe(
      `docker.io-a-b-sha256-${'a'.repeat(64)}.tar`
    )
  })
})
