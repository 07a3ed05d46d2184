import { create, CREATE_HELP } from './commands/create';
import { show, SHOW_HELP } from './commands/show';
import { verify, VERIFY_HELP } from './commands/verify';
import { CliError, EXIT } from './errors';
import { exitCleanlyOnSignals } from './output';
import { VERSION } from './version';

const HELP = `Usage: s3-torrent <command> [options]

Commands:
  create <file | s3://bucket/key | https://url>   make a .torrent (v1, v2 or hybrid)
  show <file.torrent>                               print what a torrent says, with its magnet link
  verify <file.torrent> <data>                      check data against a torrent

Run s3-torrent <command> --help for a command's options.

Exit codes: 0 success, 1 verify found pieces that do not match, 2 usage error, 3 unusable input
(missing, unreadable, empty, not a torrent, changed while read), 4 output not writable,
130/143 interrupted (SIGINT/SIGTERM).`;

/** Runs the command line and returns the exit code; errors meant for the user are printed, not thrown. */
export async function main(argv: string[]): Promise<number> {
  exitCleanlyOnSignals(() => process.stderr.isTTY && process.stderr.write('\r\x1b[K'));
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'create':
        return await create(args);
      case 'show':
        return show(args);
      case 'verify':
        return await verify(args);
      case 'help':
        console.log(args[0] === 'create' ? CREATE_HELP : args[0] === 'show' ? SHOW_HELP : args[0] === 'verify' ? VERIFY_HELP : HELP);
        return EXIT.OK;
      case '-h':
      case '--help':
        console.log(HELP);
        return EXIT.OK;
      case '--version':
      case '-V':
        console.log(VERSION);
        return EXIT.OK;
      case undefined:
        console.error(HELP);
        return EXIT.USAGE;
      default:
        console.error(`s3-torrent: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
        return EXIT.USAGE;
    }
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`s3-torrent: ${err.message}`);
      return err.exitCode;
    }
    throw err;
  }
}
