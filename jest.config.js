/**
 * Jest runs the TypeScript sources directly (SWC, no type check: `npm run typecheck`
 * does that) as native ES modules, because the @actions/* packages are ESM-only.
 * `npm test` starts node with --experimental-vm-modules for this.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/lib/', '/dist/', '/\\.build/', '/\\.tmp/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline'
      }
    ]
  },
  moduleNameMapper: {
    // Workspace packages resolve to their sources, so tests need no prior build.
    '^@kedge/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    // NodeNext imports name the emitted .js file; map them back to the .ts source.
    '^(\\.{1,2}/.*)\\.js$': '$1'
  },
  setupFiles: ['<rootDir>/test/setup.ts'],
  testTimeout: 120000,
  // Tests start real servers (registry, containerd); run files one at a time on 2 cores.
  maxWorkers: 1
}
