import { exportLoopPolicy, loopManifestOf } from '../../export/export-loop.js';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { exportRun } from '../../export/export-run.js';
import { runServe } from '../../export/serve.js';
import type { BackendName } from '../../nn/backend.js';
import { printJson, printLine, type GlobalOptions } from '../output.js';

interface ExportArgs extends GlobalOptions {
  runDir: string;
  overwrite: boolean;
  onnx: boolean;
}

export const exportCommand: CommandModule<GlobalOptions, ExportArgs> = {
  command: 'export <run-dir>',
  describe: 'Write a policy bundle (manifest.json, model.json + weights.bin, policy.onnx) from a finished run or a learning-loop policy',
  builder: (yargs) =>
    yargs
      .positional('run-dir', { type: 'string', demandOption: true, describe: 'A run folder (results/<experiment>/<run-id>) or a loop policy (results/<loop>/replicate-<r>/policies/<name>)' })
      .option('out', { type: 'string', demandOption: true, describe: 'Bundle folder to write' })
      .option('overwrite', { type: 'boolean', default: false, alias: 'force', describe: 'Replace an existing bundle folder' })
      .option('onnx', { type: 'boolean', default: true, describe: 'Also write policy.onnx (--no-onnx to skip)' }) as unknown as Argv<ExportArgs>,
  handler: async (argv: ArgumentsCamelCase<ExportArgs>) => {
    const options = { overwrite: argv.overwrite, onnx: argv.onnx };
    // A learning loop's champion (results/<loop>/replicate-<r>/policies/<name>) exports like a run.
    const result = loopManifestOf(argv.runDir) !== null ? await exportLoopPolicy(argv.runDir, argv.out as string, options) : await exportRun(argv.runDir, argv.out as string, options);
    if (argv.json) return printJson(result);
    printLine(argv, `policy bundle written to ${result.outDir}`);
  },
};

interface ServeArgs extends GlobalOptions {
  policy: string;
  port: number;
  host: string;
  env?: string;
  maxBodyBytes?: number;
  maxBatch?: number;
  drainSeconds: number;
}

export const serveCommand: CommandModule<GlobalOptions, ServeArgs> = {
  command: 'serve',
  describe: 'Serve a policy bundle over HTTP: POST /v1/decide, GET /v1/manifest, GET /healthz',
  builder: (yargs) =>
    yargs
      .option('policy', { type: 'string', demandOption: true, describe: 'Policy bundle folder (from loopgym export)' })
      .option('port', { type: 'number', default: 8080, describe: 'Port (0 picks a free one)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
      .option('env', { type: 'string', describe: 'Refuse a bundle exported for another env id or version' })
      .option('max-body-bytes', { type: 'number', describe: 'Largest request body accepted (default 1 MiB)' })
      .option('max-batch', { type: 'number', describe: 'Largest batch accepted (default 1024)' })
      .option('drain-seconds', { type: 'number', default: 10, describe: 'On SIGTERM/SIGINT: answer requests already received for at most this long, then exit 0' }) as unknown as Argv<ServeArgs>,
  handler: async (argv: ArgumentsCamelCase<ServeArgs>) => {
    await runServe({
      policyDir: argv.policy,
      port: argv.port,
      host: argv.host,
      envId: argv.env,
      maxBodyBytes: argv.maxBodyBytes,
      maxBatch: argv.maxBatch,
      shutdownGraceMs: argv.drainSeconds * 1000,
      backend: argv.backend as BackendName | undefined,
      log: argv.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
      onListening: (server) => (argv.json ? printJson({ url: server.url }) : printLine(argv, `serving ${argv.policy} at ${server.url}`)),
    });
  },
};
