/**
 * Exit codes, documented in docs/cli.md and `s3-torrent --help`:
 * 0 success; 1 verify found data that does not match; 2 bad usage (unknown option, bad value);
 * 3 unusable input (missing, unreadable, empty, a directory, not a torrent, changed while read);
 * 4 the output cannot be written; 130/143 interrupted by SIGINT/SIGTERM.
 */
export const EXIT = {
  OK: 0,
  MISMATCH: 1,
  USAGE: 2,
  INPUT: 3,
  OUTPUT: 4,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

/** An error meant for the user: printed as `s3-torrent: <message>` and mapped to its exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(EXIT.USAGE, message);
export const inputError = (message: string) => new CliError(EXIT.INPUT, message);
export const outputError = (message: string) => new CliError(EXIT.OUTPUT, message);
