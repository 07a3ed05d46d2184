import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The BitTorrent core stays pure: no AWS SDK, no Lambda types, no file system. Handlers and
// adapters depend on it, never the other way round.
const CORE = join(__dirname, '../../lambdas/core');
const FORBIDDEN = [
  /from '@aws-sdk\//,
  /from 'aws-lambda'/,
  /from '(node:)?fs(\/promises)?'/,
  /from '\.\.\/(adapters|ports|shared|endpoint|tracker|workflow)/,
];

describe('lambdas/core', () => {
  const files = readdirSync(CORE, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'));

  it('has modules to check', () => expect(files.length).toBeGreaterThan(3));

  it.each(files)('%s imports nothing from the AWS SDK, Lambda, fs or outer layers', (file) => {
    const source = readFileSync(join(CORE, file), 'utf8');
    for (const pattern of FORBIDDEN) expect(source).not.toMatch(pattern);
  });
});
