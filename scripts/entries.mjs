/**
 * The bundles `npm run build` writes into dist/. An entry is listed here once its
 * capability exists (no placeholders): `source` is the compiled module (tsc -b output),
 * `file` the name of the bundled script inside dist/<name>/. `unused` names packages the
 * bundle's dependencies import but that this entry never uses: the build leaves them out
 * (an empty module stands in) and fails if the bundle comes to use any of their exports.
 * undici is one: @actions/core imports @actions/http-client, which imports undici only for
 * ProxyAgent in getAgentDispatcher (actions/toolkit#1560); loading it costs ~13 MiB of
 * resident memory and ~1 MB of bundle in an action that never calls it.
 * @type {Array<{ name: string, source: string, file: string, unused?: string[] }>}
 */
export const entries = [
  {
    name: 'fetch-images',
    source: 'packages/actions/lib/fetch-images/index.js',
    file: 'index.js',
    unused: ['undici']
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
