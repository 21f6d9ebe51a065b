#!/usr/bin/env node
/** The `loopgym` executable: runs the CLI and turns errors into a message and an exit code. */
import { hideBin } from 'yargs/helpers';
import { CliUsageError, runCli } from './cli.js';
import { reportError } from './output.js';

runCli(hideBin(process.argv)).catch((error: unknown) => {
  if (error instanceof CliUsageError) {
    process.stderr.write(`loopgym: ${error.message}\nRun loopgym --help for usage.\n`);
    process.exitCode = 2;
    return;
  }
  reportError(error);
});
