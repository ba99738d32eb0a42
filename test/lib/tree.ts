/**
 * A whole tree, described entry by entry without following links: type, mode and content
 * hash (or link target). Two equal descriptions mean byte-for-byte equal trees, modes and
 * empty directories included.
 */
import { createHash } from 'node:crypto'
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'

export function describeTree(
  root: string,
  skip: (path: string) => boolean = () => false
): Record<string, string> {
  const out: Record<string, string> = {}
  const visit = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = `${rel}/${name}`
      if (skip(path)) continue
      const full = join(root, path)
      const st = lstatSync(full)
      const mode = (st.mode & 0o7777).toString(8)
      if (st.isSymbolicLink()) out[path] = `link -> ${readlinkSync(full)}`
      else if (st.isDirectory()) {
        out[path] = `dir ${mode}`
        visit(path)
      } else if (st.isFile())
        out[path] = `file ${mode} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`
      else out[path] = `special ${mode}`
    }
  }
  visit('')
  return out
}
