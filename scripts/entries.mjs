/**
 * The bundles `npm run build` writes into dist/. An entry is listed here once its
 * capability exists (no placeholders): `source` is the compiled module (tsc -b output),
 * `file` the name of the bundled script inside dist/<name>/.
 * @type {Array<{ name: string, source: string, file: string }>}
 */
export const entries = [
  {
    name: 'fetch-images',
    source: 'packages/actions/lib/fetch-images/index.js',
    file: 'index.js'
  },
  {
    name: 'fetch-crds',
    source: 'packages/actions/lib/fetch-crds/index.js',
    file: 'index.js'
  },
  {
    // Also the root action.yml (the all-in-one bundle builder).
    name: 'package-bundle',
    source: 'packages/actions/lib/package-bundle/index.js',
    file: 'index.js'
  },
  {
    // kedge delta: a delta bundle against a previous release's bundle.json (release.yml).
    name: 'delta',
    source: 'packages/bundle/lib/bin/kedge-delta.js',
    file: 'index.js'
  },
  {
    // Shipped in every bundle as install.js (node >= 18), beside a package.json
    // that marks it as an ES module.
    name: 'installer',
    source: 'packages/installer/lib/install.js',
    file: 'install.js'
  }
]
