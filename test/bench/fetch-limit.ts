/**
 * The physical limits the fetch bench compares kedge with, run as a child process:
 *   node fetch-limit.js net  <file of URLs>   every blob GET in parallel (8 at a time) into
 *                                             sha256 and nowhere else: the cold limit
 *   node fetch-limit.js disk <file of paths>  every cached blob read and hashed, one after
 *                                             another: the warm limit (read and hash)
 */
import { createHash } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import { get } from 'node:http'

async function fetchHash(url: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    get(url, res => {
      const hash = createHash('sha256')
      res.on('data', (c: Buffer) => hash.update(c))
      res.on('end', () => {
        hash.digest()
        resolve()
      })
      res.on('error', reject)
    }).on('error', reject)
  })
}

async function readHash(path: string): Promise<void> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer)
  }
  hash.digest()
}

const [mode, listFile] = process.argv.slice(2)
const items = readFileSync(listFile ?? '', 'utf8')
  .split('\n')
  .filter(Boolean)
if (mode === 'net') {
  const queue = [...items]
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let url = queue.shift(); url; url = queue.shift()) await fetchHash(url)
    })
  )
} else if (mode === 'disk') {
  for (const path of items) await readHash(path)
} else {
  throw new Error('usage: fetch-limit.js net|disk <list file>')
}
