/**
 * `npm run smoke -- <ApiUrl> <bucket> <key>`: checks a deployment end to end (see docs/deploy.md).
 * Exits 0 when every check passed, 1 when one failed, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { runSmokeCheck, type StepResult } from '../smoke/smoke-check';

const USAGE = `Usage: npm run smoke -- [options] <ApiUrl> <bucket> <key>
  Fetches <ApiUrl>/<bucket>/<key>?torrent and checks it, reads the first piece from the web seed and
  checks it against the torrent, announces and scrapes, then downloads with libtorrent when
  python3-libtorrent is installed. The object must be in a public source (sourceBuckets).
  --no-libtorrent      skip the download
  --require-libtorrent fail when python3-libtorrent is missing
  --timeout SECONDS    wait this long for a torrent being built and for the download (default 600)`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        'no-libtorrent': { type: 'boolean' },
        'require-libtorrent': { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const timeout = Number(values.timeout ?? 600);
  if (positionals.length !== 3 || !/^https?:\/\//.test(positionals[0]!) || !(timeout > 0)) {
    console.error(USAGE);
    return 2;
  }
  const [apiUrl, bucket, key] = positionals as [string, string, string];
  console.log(`s3-torrent smoke check of ${apiUrl} with ${bucket}/${key}`);
  const print = (r: StepResult) => console.log(`  ${r.outcome.padEnd(4)}  ${r.step.padEnd(10)}  ${r.detail}`);
  const results = await runSmokeCheck(
    {
      apiUrl,
      bucket,
      key,
      libtorrent: values['no-libtorrent'] ? 'off' : values['require-libtorrent'] ? 'require' : 'auto',
      timeoutSeconds: timeout,
    },
    print,
  );
  const failed = results.filter((r) => r.outcome === 'FAIL').length;
  const passed = results.filter((r) => r.outcome === 'ok').length;
  const skipped = results.length - failed - passed;
  console.log(
    failed === 0
      ? `PASSED: ${passed} checks passed, ${skipped} skipped.`
      : `FAILED: ${failed} failed, ${passed} passed, ${skipped} skipped.`,
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`smoke check crashed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
