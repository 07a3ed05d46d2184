// A worker thread starts without its parent's TypeScript loader: register tsx, then run the worker.
require('tsx/cjs/api').register();
require('./hash-worker.ts');
