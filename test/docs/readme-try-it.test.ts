import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandWorks, hasProgram, haveAria2, run } from '../support/programs';
import { ROOT, shellBlockUnder } from '../support/markdown';

/**
 * The README's `## Try it` block, run verbatim (bash -euo pipefail, bounded time) against a fresh
 * `npm start` with its default ports, as a newcomer would on a fresh Debian machine. Both run in a
 * network namespace of their own (unshare --net), so the default ports are free even where other
 * services run, and nothing here can reach them.
 */
const README = 'README.md';
const HEADING = 'Try it';
const block = shellBlockUnder(README, HEADING);

// What a fresh Debian machine has without asking (coreutils, bash).
const BASE_COMMANDS = new Set(['head', 'cmp', 'echo', 'cat', 'mkdir', 'ls', 'cd', 'printf', 'rm', 'sleep', 'test', 'sha256sum', 'diff']);
// Debian package of each program the block may use, which the README must name.
const PACKAGE_OF: Record<string, string> = { curl: 'curl', aria2c: 'aria2', npx: 'Node.js', node: 'Node.js', npm: 'Node.js' };

/** The programs a shell block runs: the first word of every command, assignments skipped. */
function programsOf(code: string): string[] {
  const commands = code
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .flatMap((line) => line.split(/&&|\|\||[|;]/));
  return commands
    .map(
      (c) =>
        c
          .trim()
          .split(/\s+/)
          .find((w) => !/^\w+=/.test(w)) ?? '',
    )
    .filter((w) => w !== '');
}

test('the block uses only programs the README tells a newcomer to install', () => {
  const readme = readFileSync(join(ROOT, README), 'utf8');
  const before = readme.slice(0, readme.indexOf(block.code));
  for (const program of programsOf(block.code)) {
    if (BASE_COMMANDS.has(program)) continue;
    const pkg = PACKAGE_OF[program];
    expect({ program, named: pkg !== undefined && before.includes(pkg) }).toEqual({ program, named: true });
  }
});

const haveNetns = () =>
  hasProgram(
    'a network namespace (unshare --net, and ip from iproute2; as root)',
    () => commandWorks('ip', ['-V'])() && spawnSync('unshare', ['--net', 'true']).status === 0,
  );
const haveCurl = () => hasProgram('curl', commandWorks('curl', ['--version']));
const runnable = haveNetns() && haveCurl() && haveAria2();

(runnable ? test : test.skip)(
  'runs verbatim against a fresh npm start with its defaults',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-try-it-'));
    try {
      writeFileSync(join(dir, 'block.sh'), `${block.code}\n`);
      const result = await run('unshare', ['--net', 'bash', join(__dirname, 'fresh-start.sh'), ROOT, dir], 330_000);
      const log = `${result.stdout}\n${result.stderr}`;
      expect({ status: result.status, log: result.status === 0 ? '' : log }).toEqual({ status: 0, log: '' });
      expect(result.stdout).toContain('downloaded over BitTorrent from the web seed: identical');
      expect(result.stdout).toContain('npm start stopped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  360_000,
);
