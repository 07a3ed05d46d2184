import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';

/**
 * CDK Apps for a test file, synthesizing into temporary directories removed after the file's tests.
 * (`new App()` without an outdir makes a `cdk.out*` directory in the system temp directory, about
 * 10 MB of bundled Lambdas, and nothing ever removes it.)
 */
const outdirs: string[] = [];
// Registered when a test file imports this module, so testApp() may be called inside a test too.
afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function testApp(props: AppProps = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  outdirs.push(outdir);
  return new App({ ...props, outdir });
}
