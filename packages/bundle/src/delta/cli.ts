/**
 * `kedge delta` (npm run delta, dist/delta/index.js): the delta bundle of a new full bundle
 * against a previous release's bundle.json.
 *   kedge delta --base URL|FILE [--base-sha256 HEX] --bundle NEW.tar.gz|DIR [--output-dir DIR]
 *               [--mirror registry=URL ...] [--insecure host:port ...] [--json]
 * Exit 0 with the delta written, 2 on bad usage, 1 when the delta cannot be built.
 */
import { existsSync, statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { parseMirrors, type Logger } from '@kedge/oci'
import { buildDelta, type DeltaResult } from './build.js'

const USAGE =
  'usage: kedge delta --base URL|FILE [--base-sha256 HEX] --bundle NEW.tar.gz|DIR [--output-dir DIR] [--mirror registry=URL ...] [--insecure host:port ...] [--json]'

const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`

function summary(d: DeltaResult, fullSize: number | undefined): string[] {
  return [
    `${d.bundle}: ${mib(d.size)}, sha256 ${d.sha256}`,
    `  base ${d.base.name} (${d.base.sha256})`,
    `  left out: ${d.delta.omittedFiles.length} unchanged file(s), ${d.delta.omittedBlobs.length} image layer(s) the base carried`,
    `  images archive: ${mib(d.imagesArchive.delta)} of ${mib(d.imagesArchive.full)}${fullSize ? `; the delta is ${((100 * d.size) / fullSize).toFixed(1)} % of the full bundle` : ''}`
  ]
}

/** Runs the command; returns the exit code. */
export async function deltaMain(
  argv: string[],
  write: (s: string) => void = s => process.stdout.write(s),
  stat: (p: string) => number | undefined = p =>
    existsSync(p) && statSync(p).isFile() ? statSync(p).size : undefined
): Promise<number> {
  let v
  try {
    v = parseArgs({
      args: argv,
      options: {
        base: { type: 'string' },
        'base-sha256': { type: 'string' },
        bundle: { type: 'string' },
        'output-dir': { type: 'string' },
        mirror: { type: 'string', multiple: true },
        insecure: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean' }
      }
    }).values
  } catch (err) {
    process.stderr.write(`kedge delta: ${(err as Error).message}\n${USAGE}\n`)
    return 2
  }
  if (v.help) {
    write(`${USAGE}\n`)
    return 0
  }
  if (!v.base || !v.bundle) {
    process.stderr.write(`kedge delta: --base and --bundle are required\n${USAGE}\n`)
    return 2
  }
  const logger: Logger = {
    debug: () => undefined,
    info: m => {
      if (!v.json) process.stderr.write(`${m}\n`)
    },
    warn: m => {
      process.stderr.write(`warning: ${m}\n`)
    }
  }
  try {
    const result = await buildDelta({
      base: v.base,
      ...(v['base-sha256'] ? { baseSha256: v['base-sha256'] } : {}),
      bundle: v.bundle,
      outputDir: v['output-dir'] ?? '.',
      client: { mirrors: parseMirrors(v.mirror ?? []), insecure: v.insecure ?? [] },
      logger
    })
    if (v.json) write(`${JSON.stringify(result)}\n`)
    else write(`${summary(result, stat(v.bundle)).join('\n')}\n`)
    return 0
  } catch (err) {
    process.stderr.write(`kedge delta: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}
