#!/usr/bin/env node
/** The `loopgym` executable: runs the CLI and turns errors into a message and an exit code. */
import { hideBin } from 'yargs/helpers';
import { CliUsageError, runCli } from './cli.js';
import { reportError } from './output.js';

// Ctrl-C: exit 130 as shells expect, saying how to continue (finished runs and loop iterations are kept).
// `serve` drains on SIGINT/SIGTERM itself.
const args = hideBin(process.argv);
if (args[0] !== 'serve') process.once('SIGINT', () => {
  process.stderr.write(
    '\nloopgym: interrupted. Finished runs are kept: run the same command again to train the rest (finished runs are skipped); a learning loop continues with `loopgym loop <spec> --resume`.\n',
  );
  process.exit(130);
});

runCli(args).catch((error: unknown) => {
  if (error instanceof CliUsageError) {
    process.stderr.write(`loopgym: ${error.message}\nRun loopgym --help for usage.\n`);
    process.exitCode = 2;
    return;
  }
  reportError(error);
});
