// One entry bundled with ncc (its JavaScript API), for scripts/build.mjs; see entries.mjs
// for what an entry is.
import ncc from '@vercel/ncc'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** The stand-in for a package an entry lists as `unused`, shipped beside its bundle. */
function unusedModule(name) {
  return `// kedge: ${name} is left out of this bundle. A dependency imports it, but nothing this
// action runs uses any of its exports: scripts/bundle.mjs checked that when it bundled this
// (see scripts/entries.mjs for why it is left out).
export {}
`
}

/** The stand-in's file name: a scoped name's "/" would make a directory. */
const stubFile = name => `unused-${name.replace('/', '+')}.mjs`
const escape = text => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/**
 * Bundles one entry with ncc into `target`: the script, every asset ncc emits (lazily
 * loaded chunks such as 584.index.js, copied texts, licenses.txt, package.json), and an
 * empty module for each package the entry lists as unused, after checking that the bundle
 * really uses no export of it (its import binding appears once: the import itself).
 */
export async function bundle(entry, source, target) {
  const unused = entry.unused ?? []
  const externals = Object.fromEntries(unused.map(name => [name, `./${stubFile(name)}`]))
  const { code, assets } = await ncc(source, {
    externals,
    target: 'es2022',
    license: 'licenses.txt',
    cache: false,
    quiet: true
  })
  for (const name of unused) {
    const binding = new RegExp(`import \\* as (\\w+) from "\\./${escape(stubFile(name))}";`).exec(
      code
    )
    const uses = binding ? code.split(binding[1]).length - 1 : 0
    if (uses !== 1) {
      throw new Error(
        `build: entry ${entry.name}: ${name} is listed as unused, but the bundle ${binding ? 'uses its exports' : 'no longer imports it'}; remove it from unused in scripts/entries.mjs`
      )
    }
  }
  await mkdir(target, { recursive: true })
  await writeFile(join(target, entry.file), code)
  for (const [file, asset] of Object.entries(assets)) {
    const mode = (asset.permissions ?? 0o644) & 0o111 ? 0o755 : 0o644
    await writeFile(join(target, file), asset.source, { mode })
    await chmod(join(target, file), mode)
  }
  for (const name of unused) await writeFile(join(target, stubFile(name)), unusedModule(name))
}
