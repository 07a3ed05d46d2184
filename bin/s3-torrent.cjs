#!/usr/bin/env node
'use strict';
/*
 * `npx s3-torrent`: the CLI in cli/ is TypeScript. Starting it through tsx costs each process and
 * each hashing thread a good tenth of a second, which shows next to mktorrent, so the first run
 * bundles it with esbuild (already here: tsx depends on it) into node_modules/.cache/s3-torrent/,
 * and later runs use that one file while none of its inputs has changed since. Where that cannot
 * work (no esbuild, a read-only install) or S3_TORRENT_FROM_SOURCE=1 is set, tsx runs the sources.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 's3-torrent');
const BUNDLE = path.join(CACHE, 'cli.js');
const INPUTS = path.join(CACHE, 'cli.inputs.json');

function isFresh() {
  try {
    const inputs = JSON.parse(fs.readFileSync(INPUTS, 'utf8'));
    return (
      Object.entries(inputs).every(([file, mtimeMs]) => fs.statSync(path.join(ROOT, file)).mtimeMs === mtimeMs) && fs.existsSync(BUNDLE)
    );
  } catch {
    return false;
  }
}

function bundle() {
  const esbuild = require('esbuild');
  fs.mkdirSync(CACHE, { recursive: true });
  const temp = `${BUNDLE}.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: ['cli/bundle-entry.ts'],
    outfile: temp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The SDK stays a package: only s3:// sources load it.
    external: ['@aws-sdk/*'],
    metafile: true,
    logLevel: 'silent',
  });
  // Bundled packages count through the lock file: a changed dependency rebuilds the bundle too.
  const inputs = { 'package-lock.json': fs.statSync(path.join(ROOT, 'package-lock.json')).mtimeMs };
  for (const file of Object.keys(result.metafile.inputs)) {
    if (!file.includes('node_modules/')) inputs[file] = fs.statSync(path.join(ROOT, file)).mtimeMs;
  }
  // Renames are atomic: a concurrent run (or a hashing thread starting) sees the old file or the new, never half of one.
  fs.renameSync(temp, BUNDLE);
  fs.writeFileSync(`${INPUTS}.${process.pid}.tmp`, JSON.stringify(inputs));
  fs.renameSync(`${INPUTS}.${process.pid}.tmp`, INPUTS);
}

function load() {
  if (process.env.S3_TORRENT_FROM_SOURCE !== '1') {
    try {
      if (!isFresh()) bundle();
      return require(BUNDLE);
    } catch {
      // fall through to the sources
    }
  }
  require('tsx/cjs/api').register();
  return require('../cli/main.ts');
}

load()
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
