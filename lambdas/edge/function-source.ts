import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSourceEntry, type SourceEntry } from '../config/sources';

/** The viewer-request function's source, as CloudFront runs it and as the local gateway runs it. */
export const WEB_SEED_FUNCTION_FILE = join(__dirname, 'web-seed-gate.js');

/** CloudFront Functions' code size quota. */
export const MAX_FUNCTION_BYTES = 10 * 1024;

const SOURCES_LINE = /^var SOURCES = \[\];$/m;

/**
 * The function with the source allowlist written in (CloudFront Functions take no environment).
 * Throws when the allowlist makes it exceed CloudFront's 10 KB quota, so `cdk synth` fails rather
 * than the deployment.
 */
export function webSeedFunctionSource(sources: readonly SourceEntry[], file = WEB_SEED_FUNCTION_FILE): string {
  const template = readFileSync(file, 'utf8');
  if (!SOURCES_LINE.test(template)) throw new Error(`${file} has no \`var SOURCES = [];\` line to write the allowlist into`);
  const entries = sources.map((s) => ({ bucket: s.bucket, prefix: s.prefix, access: s.access }));
  const rendered = template.replace(SOURCES_LINE, `var SOURCES = ${JSON.stringify(entries)};`);
  const bytes = Buffer.byteLength(rendered, 'utf8');
  if (bytes > MAX_FUNCTION_BYTES)
    throw new Error(
      `the web-seed function would be ${bytes} bytes with ${sources.length} sources; CloudFront Functions take at most ${MAX_FUNCTION_BYTES}`,
    );
  return rendered;
}

/**
 * The function's allowlist for a service allowlist string (`SOURCE_BUCKETS`): its entries, and
 * for `*` (local use) an entry that matches any bucket, last so a bucket's own entry wins a tie.
 */
export function edgeSourcesOf(csv: string): SourceEntry[] {
  const specs = csv
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const entries = specs.filter((s) => s !== '*').map(parseSourceEntry);
  return specs.includes('*') ? [...entries, { bucket: '*', prefix: '', access: 'public' }] : entries;
}
