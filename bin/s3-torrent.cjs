#!/usr/bin/env node
'use strict';
// `npx s3-torrent`: runs the TypeScript CLI in cli/ through tsx's require hook (no build step;
// tsx caches what it compiles). Hashing threads register the same hook (cli/hash-worker.cjs).
require('tsx/cjs/api').register();
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error('s3-torrent: unexpected error:', err);
      process.exitCode = 70;
    },
  );
