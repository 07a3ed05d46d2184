import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeBlocks, markdownFiles, ROOT, SHELL_LANGUAGES, type CodeBlock } from '../support/markdown';

/**
 * Every shell block in README.md and docs/*.md is either run by a test or says it is illustrative,
 * with an HTML comment on the line before its fence:
 *
 *   <!-- illustrative -->                          shown, not run (commands for AWS, output, a sketch)
 *   <!-- tested-by: test/docs/some.test.ts -->      that test extracts it (by file and heading) and runs it
 *
 * A test that runs a block names the Markdown file and the heading it takes the block from, so the
 * test file must mention both. Every fence names a language, so a shell block cannot hide as plain text.
 */
const blocks = markdownFiles().flatMap(codeBlocks);
const where = (b: CodeBlock) => `${b.file}:${b.line}`;

test('every fenced block names its language (text for output)', () => {
  expect(blocks.filter((b) => b.lang === '').map(where)).toEqual([]);
});

const shell = blocks.filter((b) => SHELL_LANGUAGES.has(b.lang));
test.each(shell.map((b) => [`${where(b)} (${b.heading})`, b] as const))('%s is illustrative or run by a test', (_name, block) => {
  const marker = block.marker ?? '';
  if (marker === 'illustrative') return;
  const tested = /^tested-by:\s*(\S+)$/.exec(marker);
  if (tested === null) {
    throw new Error(`${where(block)}: put <!-- illustrative --> or <!-- tested-by: test/... --> on the line before the fence`);
  }
  const testFile = join(ROOT, tested[1]!);
  expect(existsSync(testFile)).toBe(true);
  const source = readFileSync(testFile, 'utf8');
  expect(source).toContain(block.file);
  expect(source).toContain(block.heading);
});
