/** The repository root, found from any file under it (sources run by jest, or test/.build/). */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

export function repoRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'build.mjs')) && existsSync(join(dir, 'package.json')))
      return dir
    if (dirname(dir) === dir) throw new Error(`no kedge repository above ${from}`)
  }
}
