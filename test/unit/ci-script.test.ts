// CI's own entry point: a syntax error there fails the run after every test has passed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function summary(file?: string): string {
  return execFileSync('node', [join(root, '.ci', 'summary.js'), ...(file ? [file] : [])], { encoding: 'utf8' }).trim();
}

describe('.ci/run', () => {
  it('parses as bash', () => {
    execFileSync('bash', ['-n', join(root, '.ci', 'run')]);
  });

  it('reports a missing results file as one failure', () => {
    expect(summary('/nonexistent/results.json').split('\n').pop()).toBe('0 passed, 1 failed');
  });

  it('counts failed tests and suites that never ran', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-summary-'));
    try {
      const file = join(dir, 'r.json');
      writeFileSync(
        file,
        JSON.stringify({
          numPassedTests: 7,
          numFailedTests: 2,
          testResults: [
            { status: 'failed', assertionResults: [] },
            { status: 'failed', assertionResults: [{}] },
            { status: 'passed', assertionResults: [{}] },
          ],
        }),
      );
      expect(summary(file)).toBe('7 passed, 3 failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
