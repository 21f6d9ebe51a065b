/**
 * A single-node Slurm for `npm run test:slurm`: installs Debian's slurmctld, slurmd, slurm-client and munge
 * when they are missing (root only), writes a private slurm.conf (linuxproc process tracking, no task
 * plugin, cons_tres selection, no accounting; ports and state away from any system Slurm), starts munged
 * (as the munge user, unless one already answers), slurmctld and slurmd as children of this process, and
 * stops exactly the daemons it started.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGES = ['slurmctld', 'slurmd', 'slurm-client', 'munge'];
const BINARIES = ['slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'scontrol', 'munged', 'munge'];

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): CommandResult {
  const result = spawnSync(command, args, { encoding: 'utf8', env, timeout: timeoutMs });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

function must(command: string, args: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): string {
  const result = run(command, args, env, timeoutMs);
  if (result.status !== 0) throw new Error(`Expected \`${command} ${args.join(' ')}\` to succeed, but it exited ${result.status}: ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

const missingBinaries = () => BINARIES.filter((name) => run('sh', ['-c', `command -v ${name}`]).status !== 0);

/** Why this machine cannot run the test, or null when it can. */
export function unavailableReason(): string | null {
  if (process.platform !== 'linux') return `Slurm test needs Linux, but this is ${process.platform}`;
  const missing = missingBinaries();
  if (missing.length > 0 && process.getuid?.() !== 0) return `Slurm is not installed (${missing.join(', ')} missing) and installing it needs root`;
  return null;
}

/** Installs the Debian packages if any binary is missing; returns the seconds it took (0 when installed). */
export function ensureInstalled(): number {
  if (missingBinaries().length === 0) return 0;
  const started = performance.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Other installs on the machine may hold dpkg's lock: wait for it rather than fail.
  const wait = ['-o', 'DPkg::Lock::Timeout=600'];
  must('apt-get', [...wait, 'update', '-qq'], env, 900_000);
  must('apt-get', [...wait, 'install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], env, 1_200_000);
  const missing = missingBinaries();
  if (missing.length > 0) throw new Error(`Expected ${PACKAGES.join(', ')} to provide ${BINARIES.join(', ')}, but ${missing.join(', ')} are still missing.`);
  return (performance.now() - started) / 1000;
}

export interface LocalSlurm {
  /** Environment for client commands (SLURM_CONF points at the private slurm.conf). */
  env: NodeJS.ProcessEnv;
  dir: string;
  node: string;
  cpus: number;
  /** Seconds from starting the daemons to the node reporting idle. */
  startSeconds: number;
  stop(): Promise<void>;
}

function startDaemon(command: string, args: string[], log: string): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => writeFileSync(log, chunk, { flag: 'a' }));
  return child;
}

function mungeAnswers(): boolean {
  return run('sh', ['-c', 'munge -n | unmunge']).status === 0;
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean, describe: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`Expected ${what} within ${timeoutMs / 1000} s, but it did not happen: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function startLocalSlurm(): Promise<LocalSlurm> {
  const dir = mkdtempSync(join(tmpdir(), 'loopgym-slurm-'));
  const node = hostname().split('.')[0];
  const cpuCount = cpus().length;
  const memoryMb = Math.max(1024, Math.min(8192, Math.floor(totalmem() / 1024 / 1024 / 2)));
  for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub));
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=loopgym-test',
      `SlurmctldHost=${node}(127.0.0.1)`,
      'SlurmctldPort=16817',
      'SlurmdPort=16818',
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'AccountingStorageType=accounting_storage/none',
      'JobAcctGatherType=jobacct_gather/none',
      'JobCompType=jobcomp/none',
      'MpiDefault=none',
      'ReturnToService=2',
      'SchedulerType=sched/backfill',
      'MinJobAge=600',
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpuCount} RealMemory=${memoryMb} State=UNKNOWN`,
      `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const started: ChildProcess[] = [];
  const stop = async () => {
    run('scancel', ['--full', '--user', 'root'], env);
    for (const child of started.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const begin = performance.now();
  try {
    if (!mungeAnswers()) {
      if (!existsSync('/etc/munge/munge.key')) must('mungekey', ['--create']);
      const uid = Number(must('id', ['-u', 'munge']).trim());
      const gid = Number(must('id', ['-g', 'munge']).trim());
      for (const path of ['/run/munge', '/var/lib/munge', '/var/log/munge']) {
        mkdirSync(path, { recursive: true });
        chownSync(path, uid, gid);
      }
      chownSync('/etc/munge/munge.key', uid, gid);
      // setpriv execs munged itself, so the child's pid is munged's and stop() ends it.
      started.push(startDaemon('setpriv', ['--reuid=munge', '--regid=munge', '--init-groups', 'munged', '--foreground'], join(dir, 'munged.stderr')));
      await waitFor('munged to answer', 20_000, mungeAnswers, () => readLog(join(dir, 'munged.stderr')));
    }
    started.push(startDaemon('slurmctld', ['-D', '-f', conf], join(dir, 'slurmctld.stderr')));
    started.push(startDaemon('slurmd', ['-D', '-f', conf, '-N', node], join(dir, 'slurmd.stderr')));
    const state = () => run('sinfo', ['-h', '-n', node, '-o', '%T'], env).stdout.trim();
    await waitFor('the node to be idle', 60_000, () => state() === 'idle', () => `sinfo says ${JSON.stringify(state())}; slurmctld.log: ${readLog(join(dir, 'slurmctld.log'))} slurmd.log: ${readLog(join(dir, 'slurmd.log'))}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, dir, node, cpus: cpuCount, startSeconds: (performance.now() - begin) / 1000, stop };
}

function readLog(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
}
