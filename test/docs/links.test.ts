import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { anchors, links, markdownFiles, ROOT } from '../support/markdown';

/** Every relative link in README.md and docs/*.md reaches a file, and every #anchor a heading there. */
const relative = markdownFiles().flatMap((file) => links(file).filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target)));

test('the docs have relative links to check', () => {
  expect(relative.length).toBeGreaterThan(10);
});

test.each(relative.map((l) => [`${l.file}:${l.line} → ${l.target}`, l] as const))('%s', (_name, link) => {
  const [path = '', anchor] = link.target.split('#', 2);
  const target = path === '' ? link.file : normalize(join(dirname(link.file), decodeURIComponent(path)));
  expect(target.startsWith('..')).toBe(false);
  expect(existsSync(join(ROOT, target))).toBe(true);
  if (anchor !== undefined && anchor !== '') {
    expect(target.endsWith('.md') && statSync(join(ROOT, target)).isFile()).toBe(true);
    expect([...anchors(target)]).toContain(decodeURIComponent(anchor));
  }
});
