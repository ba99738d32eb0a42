/**
 * extractTarGz against hostile archives built here (issue 11, item 12): chains of
 * symlinks, hard links to links, gzip bombs. Without a `select`, too: every test checks
 * that nothing appears beside the destination, and that a refused archive leaves nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'
import { extractTarGz, UnsafeArchiveError } from '@kedge/bundle'
import * as bed from '../bed/index.js'

type Entry = Record<string, unknown> & { name: string }

async function tarGz(entries: Entry[]): Promise<Buffer> {
  const archive = pack()
  const chunks: Buffer[] = []
  archive.on('data', (c: unknown) => chunks.push(c as Buffer))
  const done = new Promise<void>(resolve => archive.on('end', resolve))
  for (const e of entries) {
    const data = e.data as Buffer | undefined
    if (data) archive.entry({ mtime: new Date(0), ...e }, data)
    else archive.entry({ mtime: new Date(0), ...e })
  }
  archive.finalize()
  await done
  return gzipSync(Buffer.concat(chunks))
}

describe('extractTarGz is safe for any input', () => {
  let dir: string
  let n = 0
  beforeAll(async () => {
    dir = await bed.tempDir('extract-chain')
  })
  afterAll(async () => {
    await bed.removeDir(dir)
  })
  /** A box per case: box/in.tar.gz, box/out (the destination); anything else in box escaped. */
  const box = async (entries: Entry[]) => {
    const root = join(dir, `case-${++n}`)
    mkdirSync(root)
    const file = join(root, 'in.tar.gz')
    writeFileSync(file, await tarGz(entries))
    return { root, file, out: join(root, 'out') }
  }
  const besides = (root: string) => readdirSync(root).filter(f => f !== 'in.tar.gz' && f !== 'out')
  const file = (name: string, text = 'x'): Entry => ({ name, data: Buffer.from(text) })

  test.each<[string, Entry[], string]>([
    [
      'x -> . then x/y -> .. then x/y/escape',
      [
        { name: 'x', type: 'symlink', linkname: '.' },
        { name: 'x/y', type: 'symlink', linkname: '..' },
        file('x/y/escape')
      ],
      'would be written through "x", which is a symbolic link'
    ],
    [
      'a link named after a directory path: d/l -> .. then d/l/escape',
      [
        { name: 'd/', type: 'directory' },
        { name: 'd/l', type: 'symlink', linkname: '..' },
        { name: 'up', type: 'symlink', linkname: 'd/l/..' },
        file('up/escape')
      ],
      'climbs (..) after a name'
    ],
    [
      'a hard link to a symlink that climbs',
      [
        { name: 'sub/', type: 'directory' },
        { name: 'sub/up', type: 'symlink', linkname: '..' },
        { name: 'h', type: 'link', linkname: 'sub/up' },
        file('h/escape')
      ],
      'is a hard link to "sub/up", which is not a file this archive wrote'
    ],
    [
      'a file written through a symlinked directory',
      [{ name: 'a', type: 'symlink', linkname: '.' }, file('a/a/a/escape')],
      'would be written through "a", which is a symbolic link'
    ],
    [
      'a symlink that replaces a directory',
      [
        { name: 'dir/', type: 'directory' },
        { name: 'dir', type: 'symlink', linkname: '.' }
      ],
      'would replace a directory'
    ]
  ])('refuses %s, leaves nothing', async (_what, entries, why) => {
    const { root, file: archive, out } = await box([file('ok.txt', 'fine'), ...entries])
    const run = extractTarGz(archive, out)
    await expect(run).rejects.toThrow(UnsafeArchiveError)
    await expect(run).rejects.toThrow(why)
    expect(besides(root)).toEqual([])
    expect(readdirSync(out)).toEqual([])
  })

  test('a symlink made by an earlier entry on disk is never followed by a later file', async () => {
    const {
      root,
      file: archive,
      out
    } = await box([
      { name: 'etc', type: 'symlink', linkname: '.' },
      file('etc', 'replaces the link, does not follow it')
    ])
    await extractTarGz(archive, out)
    expect(lstatSync(join(out, 'etc')).isFile()).toBe(true)
    expect(besides(root)).toEqual([])
  })

  test('ordinary archives still extract: files, dirs, relative symlinks climbing from their directory, hard links', async () => {
    const { out, file: archive } = await box([
      { name: 'usr/', type: 'directory' },
      { name: 'usr/bin/tool', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      { name: 'usr/lib/lib.so', data: Buffer.from('lib') },
      { name: 'usr/bin/lib.so', type: 'symlink', linkname: '../lib/lib.so' },
      { name: 'usr/bin/tool2', type: 'link', linkname: 'usr/bin/tool' }
    ])
    const written = await extractTarGz(archive, out)
    expect(written).toEqual(['usr/bin/tool', 'usr/lib/lib.so', 'usr/bin/lib.so', 'usr/bin/tool2'])
    expect(readFileSync(join(out, 'usr/bin/lib.so'), 'utf8')).toBe('lib')
    expect(lstatSync(join(out, 'usr/bin/tool2')).ino).toBe(lstatSync(join(out, 'usr/bin/tool')).ino)
    expect(lstatSync(join(out, 'usr/bin/tool')).mode & 0o777).toBe(0o755)
  })

  test('a gzip bomb stops at the byte cap, naming the archive and the entry, and leaves nothing', async () => {
    // 8 MiB of zeros compress to ~8 KiB.
    const {
      root,
      file: archive,
      out
    } = await box([file('first.txt'), { name: 'bomb.bin', data: Buffer.alloc(8 * 1024 * 1024) }])
    expect(lstatSync(archive).size).toBeLessThan(64 * 1024)
    const run = extractTarGz(archive, out, { maxBytes: 1024 * 1024 })
    await expect(run).rejects.toThrow(
      `refusing ${archive}: entry "bomb.bin" takes the archive past the limit of 1048576 bytes`
    )
    expect(readdirSync(out)).toEqual([])
    expect(besides(root)).toEqual([])
  })

  test('too many entries stop at the entry cap', async () => {
    const entries = Array.from({ length: 30 }, (_, i) => file(`f${i}`))
    const { file: archive, out } = await box(entries)
    await expect(extractTarGz(archive, out, { maxEntries: 20 })).rejects.toThrow(
      'entry "f20" is past the limit of 20 entries'
    )
    expect(existsSync(join(out, 'f0'))).toBe(false)
  })
})
