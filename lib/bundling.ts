import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/** esbuild settings of every Lambda bundle; ServiceFunction and the bundle-size check both use them. */
export const LAMBDA_BUNDLING = {
  target: 'node22',
  minify: true,
  sourceMap: true,
  // Prefer ES module builds, which esbuild can tree-shake (about a fifth smaller bundles).
  mainFields: ['module', 'main'],
} as const;

export const MAX_BUNDLE_BYTES = 1024 * 1024;

/** Every Lambda entry point (`lambdas/**\/*.lambda.ts`). */
export function lambdaEntries(lambdasDir: string): string[] {
  return readdirSync(lambdasDir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.lambda.ts'))
    .map((f) => join(lambdasDir, f))
    .sort();
}

export interface BundleSize {
  readonly entry: string;
  readonly bytes: number;
  /** The packages contributing most to the bundle, largest first. */
  readonly largest: readonly { name: string; bytes: number }[];
}

/** Bundles an entry point in memory exactly as it is deployed and reports its size. */
export async function measureBundle(entry: string, root: string): Promise<BundleSize> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: LAMBDA_BUNDLING.target,
    minify: LAMBDA_BUNDLING.minify,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    metafile: true,
    write: false,
    outfile: 'index.js',
    logLevel: 'silent',
  });
  const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('index.js'))?.[1];
  if (!output) throw new Error(`esbuild produced no bundle for ${entry}`);
  const byPackage = new Map<string, number>();
  for (const [file, input] of Object.entries(output.inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? relative(root, file).split('/').slice(0, 2).join('/');
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  const largest = [...byPackage.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
  return { entry: relative(root, entry), bytes: output.bytes, largest: largest.slice(0, 5) };
}
