/**
 * npm run bench, part 2: kedge's .tar.gz writer against `tar czf` (GNU tar + gzip -6) of
 * the same tree, in the same run. Not a test: it prints ratios.
 * Tree: ~300 MB of already-compressed content (random bytes, like image blobs and .tgz
 * files) and ~150 MB of compressible binaries (real ELF files copied from this machine).
 */
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_LEVEL, walkTree, writeTarGz } from '@kedge/bundle'
import * as bed from '../bed/index.js'

const MB = 1024 * 1024
const scale = Number(process.env.KEDGE_BENCH_SCALE ?? '1')
const BINARIES = [
  '/usr/bin/node',
  '/usr/bin/containerd',
  '/usr/bin/ctr',
  '/usr/bin/docker-registry',
  '/usr/bin/skopeo',
  '/usr/bin/runc'
]

async function timed(
  command: string,
  args: string[]
): Promise<{ seconds: number; peakRssMiB: number }> {
  const child = spawn('/usr/bin/time', ['-f', 'KEDGE_TIME %e %M', command, ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stderr.on('data', (c: Buffer) => (out += c.toString()))
  const code = await new Promise<number | null>(r => child.on('exit', r))
  const m = /KEDGE_TIME ([\d.]+) (\d+)/.exec(out)
  if (code !== 0 || !m) throw new Error(`${command} failed (${String(code)}): ${out.slice(-500)}`)
  return { seconds: Number(m[1]), peakRssMiB: Number(m[2]) / 1024 }
}

async function main(): Promise<void> {
  const work = await bed.tempDir('bench-targz')
  try {
    const tree = join(work, 'kubeedge-cloud-bench')
    mkdirSync(join(tree, 'images'), { recursive: true })
    mkdirSync(join(tree, 'bin'), { recursive: true })
    let compressed = 0
    for (let i = 0; compressed < 300 * MB * scale; i++) {
      const size = Math.round(Math.min(60 * MB, 300 * MB * scale - compressed))
      writeFileSync(
        join(tree, 'images', `blobs-${i}.tar`),
        bed.deterministicBytes(`blob-${i}`, size)
      )
      compressed += size
    }
    let binary = 0
    for (let round = 0; binary < 150 * MB * scale; round++) {
      for (const file of BINARIES) {
        if (binary >= 150 * MB * scale || !existsSync(file)) continue
        copyFileSync(file, join(tree, 'bin', `${round}-${file.split('/').pop() ?? 'bin'}`))
        binary += statSync(file).size
      }
    }
    console.log(
      `bench: tree of ${(compressed / MB).toFixed(0)} MiB compressed + ${(binary / MB).toFixed(0)} MiB binaries`
    )

    const gnu = await timed('tar', [
      'czf',
      join(work, 'gnu.tar.gz'),
      '-C',
      work,
      'kubeedge-cloud-bench'
    ])
    const gnuBytes = statSync(join(work, 'gnu.tar.gz')).size
    const started = performance.now()
    const kedge = await writeTarGz(
      join(work, 'kedge.tar.gz'),
      await walkTree(tree, 'kubeedge-cloud-bench')
    )
    const kedgeSeconds = (performance.now() - started) / 1000
    console.log('')
    console.log(
      `tar.gz ${(gnu.seconds / kedgeSeconds).toFixed(2)}× faster than tar czf   (kedge ${kedgeSeconds.toFixed(2)} s, tar czf ${gnu.seconds.toFixed(2)} s; target >= 4×)`
    )
    console.log(
      `tar.gz size ${(kedge.bytes / gnuBytes).toFixed(3)}× tar czf   (kedge ${(kedge.bytes / MB).toFixed(1)} MiB, tar czf ${(gnuBytes / MB).toFixed(1)} MiB; target <= 1.02×)`
    )
    console.log(
      `(chunks: ${kedge.stored} stored, ${kedge.compressed} compressed at level ${DEFAULT_LEVEL}; scale ${scale})`
    )
  } finally {
    await bed.removeDir(work)
  }
}

await main()
