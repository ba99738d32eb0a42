// kedge: @actions/http-client is left out of this bundle. A dependency imports it, but nothing this
// action runs uses any of its exports: scripts/bundle.mjs checked that when it bundled this
// (see scripts/entries.mjs for why it is left out).
export {}
