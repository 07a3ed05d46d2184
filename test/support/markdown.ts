import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reading the project's Markdown the way the docs tests need it: fenced code blocks with the marker
 * comment before them and the heading they sit under, links, and GitHub's heading anchors.
 */
export const ROOT = join(__dirname, '..', '..');

/** README.md and every docs/*.md, as paths relative to the repository root. */
export function markdownFiles(): string[] {
  return [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`),
  ];
}

export interface CodeBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  /** The nearest heading above the block, without its #s. */
  readonly heading: string;
  /** The HTML comment on the line before the fence (blank lines between allowed), without <!-- -->. */
  readonly marker?: string;
}

export const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);

export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const h = /^(#{1,6})\s+(.*?)\s*$/.exec(line);
    if (h) heading = h[2]!;
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
    if (!fence) continue;
    const [, indent = '', ticks = '', lang = ''] = fence;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trimStart().startsWith(ticks)) body.push(lines[j++]!.slice(indent.length));
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const comment = k >= 0 ? /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(lines[k]!) : null;
    blocks.push({ file, line: i + 1, lang: lang.toLowerCase(), code: body.join('\n'), heading, marker: comment?.[1] });
    i = j;
  }
  return blocks;
}

/** The one shell block under `## heading` in `file`; throws unless there is exactly one. */
export function shellBlockUnder(file: string, heading: string): CodeBlock {
  const found = codeBlocks(file).filter((b) => b.heading === heading && SHELL_LANGUAGES.has(b.lang));
  if (found.length !== 1) throw new Error(`${file} has ${found.length} shell blocks under "${heading}", expected one`);
  return found[0]!;
}

export interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** Inline links and images outside code: `[text](target)`. */
export function links(file: string): Link[] {
  const out: Link[] = [];
  let inFence = false;
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (/^\s*(`{3,}|~{3,})/.test(text)) inFence = !inFence;
      if (inFence) return;
      const withoutCode = text.replace(/`[^`]*`/g, '');
      for (const m of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ file, line: i + 1, target: m[1]! });
    });
  return out;
}

/** GitHub's anchors for a file's headings (lower case, punctuation dropped, spaces to -, repeats numbered). */
export function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let inFence = false;
  for (const line of readFileSync(join(ROOT, file), 'utf8').split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    const h = !inFence && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = h[1]!
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}
