import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README's set-up section names every Debian package CI installs before `npm test`: a newcomer
 * who runs the README's test command needs the same programs, or the interop tests fail.
 */
const ROOT = join(__dirname, '..', '..');

test('the README names every package .ci/run installs', () => {
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  const packages = [...ci.matchAll(/missing\+=\(([^)]+)\)/g)].map((m) => m[1]!.trim());
  expect(packages.length).toBeGreaterThan(5);
  const setUp = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n## ')[1]!;
  expect(setUp.startsWith('Set up')).toBe(true);
  const missing = packages.filter((p) => !setUp.includes(p));
  expect(missing).toEqual([]);
});
