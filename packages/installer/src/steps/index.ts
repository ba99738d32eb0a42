export * from './common.js'
export * from './edge-files.js'
export * from './edge.js'
export * from './cloud.js'
