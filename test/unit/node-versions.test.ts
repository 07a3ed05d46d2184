import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Node.js versions package.json, the docs and the CDK stack state agree with the Node running the tests. */
const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;

test('the tests run on a Node.js inside the engines range', () => {
  const range = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(engines);
  expect(range).not.toBeNull();
  const [major, minor, patch] = process.versions.node.split('.').map(Number) as [number, number, number];
  const [, wantMajor, wantMinor, wantPatch] = range!.map(Number) as [number, number, number, number];
  expect(major).toBe(wantMajor);
  expect(minor * 1e6 + patch).toBeGreaterThanOrEqual(wantMinor * 1e6 + wantPatch);
});

test('the docs state the engines range and the Lambda runtime the stack deploys', () => {
  const doc = read('docs/local-development.md');
  expect(doc).toContain(`\`engines\`: \`${engines}\``);
  expect(read('lib/lambda-defaults.ts')).toContain('Runtime.NODEJS_22_X');
  expect(doc).toContain('`nodejs22.x`');
  expect(read('lib/bundling.ts')).toContain("target: 'node22'");
});
