// A worker thread started from the TypeScript sources (tests, or the CLI without its bundle) has no
// TypeScript loader of its own: register tsx, then run the worker.
require('tsx/cjs/api').register();
require('./hash-worker.ts').runHashWorker();
