import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors';

/**
 * Parses one subcommand's arguments with node:util: unknown options, missing values and extra
 * arguments become usage errors (exit 2) rather than stack traces.
 */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** An integer option within bounds, or a usage error that names the option. */
export function integerOption(value: string | undefined, option: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw usageError(`${option} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** URLs given as repeated options, each possibly a comma-separated list (mktorrent's convention). */
export function urlLists(values: readonly string[] | undefined, option: string, schemes: readonly string[]): string[][] {
  return (values ?? [])
    .map((value) =>
      value
        .split(',')
        .map((u) => u.trim())
        .filter((u) => u.length > 0)
        .map((u) => {
          let scheme: string;
          try {
            scheme = new URL(u).protocol.replace(/:$/, '');
          } catch {
            throw usageError(`${option}: ${JSON.stringify(u)} is not a URL`);
          }
          if (!schemes.includes(scheme)) throw usageError(`${option}: ${u} is not a ${schemes.join('/')} URL`);
          return u;
        }),
    )
    .filter((list) => list.length > 0);
}
