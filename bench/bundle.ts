/**
 * `npm run bench:bundle`: the size of every Lambda bundle, built exactly as `cdk deploy` builds it,
 * with the packages that weigh most. Exits 1 if any bundle is 1 MiB or more.
 */
import { join } from 'node:path';
import { lambdaEntries, MAX_BUNDLE_BYTES, measureBundle } from '../lib/bundling';

const root = join(__dirname, '..');
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  let over = 0;
  for (const entry of lambdaEntries(join(root, 'lambdas'))) {
    const size = await measureBundle(entry, root);
    const ok = size.bytes < MAX_BUNDLE_BYTES;
    if (!ok) over++;
    console.log(
      `${ok ? 'ok  ' : 'OVER'} ${kib(size.bytes).padStart(11)}  ${(size.bytes / MAX_BUNDLE_BYTES).toFixed(2)} of 1 MiB  ${size.entry}`,
    );
    console.log(`      largest: ${size.largest.map((p) => `${p.name} ${kib(p.bytes)}`).join(', ')}`);
  }
  process.exit(over > 0 ? 1 : 0);
}

void main();
