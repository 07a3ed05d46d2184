import { join } from 'node:path';
import { lambdaEntries, MAX_BUNDLE_BYTES, measureBundle } from '../../lib/bundling';

const root = join(__dirname, '../..');

describe('Lambda bundles', () => {
  const entries = lambdaEntries(join(root, 'lambdas'));

  it('exist', () => expect(entries.length).toBeGreaterThan(0));

  it.each(entries.map((e) => [e.slice(root.length + 1), e]))('%s stays under 1 MiB', async (_name, entry) => {
    const size = await measureBundle(entry, root);
    expect(size.bytes).toBeLessThan(MAX_BUNDLE_BYTES);
  });
});
