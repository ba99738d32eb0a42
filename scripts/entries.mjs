/**
 * The bundles `npm run build` writes into dist/. An entry is listed here once its
 * capability exists (no placeholders): `source` is the compiled module (tsc -b output),
 * `file` the name of the bundled script inside dist/<name>/. `unused` names packages the
 * bundle's dependencies import but that this entry never uses: the build leaves them out
 * (an empty module stands in) and fails if the bundle comes to use any of their exports.
 * fetch-images lists two. @actions/http-client: @actions/core imports it for getIDToken
 * (OIDC), and it imports node:http, node:https and undici (for ProxyAgent,
 * actions/toolkit#1560); the registry client talks HTTP on wire.ts instead. Leaving undici
 * out saved ~13 MiB of resident memory and ~1 MB of bundle. @actions/exec: @actions/core
 * imports it for `platform` details, which this action never asks for.
 * @type {Array<{ name: string, source: string, file: string, unused?: string[] }>}
 */
export const entries = [
  {
    name: 'fetch-images',
    source: 'packages/actions/lib/fetch-images/index.js',
    file: 'index.js',
    unused: ['@actions/http-client', '@actions/exec']
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
