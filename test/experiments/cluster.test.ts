/**
 * Cluster shards: the shard index read from Slurm's and Kubernetes' variables with every error case, the
 * emitted sbatch scripts and Kubernetes manifests against golden files (and parsed: bash -n, YAML), and
 * `loopgym sweep --emit` / `--shard auto` as a user runs them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { CliUsageError, runCli } from '../../src/cli/cli.js';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ConfigError } from '../../src/core/errors.js';
import { parseSpec } from '../../src/experiments/spec.js';
import { expandRuns } from '../../src/experiments/sweep.js';
import { resolveShard, shardFromEnvironment, ShardIndexError } from '../../src/experiments/cluster/shard-index.js';
import { kubernetesMemory, parseClusterJob, timeLimitSeconds } from '../../src/experiments/cluster/job-options.js';
import { slurmFiles } from '../../src/experiments/cluster/slurm.js';
import { kubernetesFiles, kubernetesName } from '../../src/experiments/cluster/kubernetes.js';
import { LiteralBlock, yamlDocument } from '../../src/experiments/cluster/yaml-text.js';

const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));
const scratch = () => mkdtempSync(join(tmpdir(), 'loopgym-cluster-'));

/** Compares with test/experiments/golden/<name>; LOOPGYM_UPDATE_GOLDEN=1 rewrites the file instead. */
function expectGolden(name: string, text: string): void {
  const file = join(goldenDir, name);
  if (process.env.LOOPGYM_UPDATE_GOLDEN === '1') writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const sweepSpec = parseSpec({
  name: 'tiny-cluster',
  env: { id: 'CartPole-v1', numEnvs: 2 },
  agent: { name: 'ppo', numSteps: 32, batchSize: 64, numEpochs: 1, piLayers: [8], vfLayers: [8] },
  totalSteps: 128,
  seeds: [0, 1],
  evaluation: { episodes: 2, deterministic: true },
  sweep: { axes: { 'agent.learningRate': [0.001, 0.0003] } },
});

describe('--shard auto: the shard index from the cluster engine', () => {
  it('reads SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, with the count from --shards', () => {
    expect(shardFromEnvironment(4, { SLURM_ARRAY_TASK_ID: '3' })).toEqual({ index: 3, count: 4 });
    expect(shardFromEnvironment(4, { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 0, count: 4 });
    expect(shardFromEnvironment(2, { SLURM_ARRAY_TASK_ID: '1', JOB_COMPLETION_INDEX: '1' })).toEqual({ index: 1, count: 2 });
    // A re-run of failed tasks (--array=1,3) reports SLURM_ARRAY_TASK_COUNT=2: the count is never read from it.
    expect(shardFromEnvironment(4, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '2', SLURM_ARRAY_TASK_MAX: '3' })).toEqual({ index: 3, count: 4 });
    expect(shardFromEnvironment(4, { SLURM_ARRAY_TASK_ID: '', JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 2, count: 4 });
  });

  it('names the error when neither variable is set, one is malformed, they disagree, or the index is out of range', () => {
    const fails = (count: number, env: Record<string, string>, message: RegExp) => {
      expect(() => shardFromEnvironment(count, env)).toThrow(ShardIndexError);
      expect(() => shardFromEnvironment(count, env)).toThrow(message);
    };
    fails(2, {}, /^Expected SLURM_ARRAY_TASK_ID \(a Slurm job array task\) or JOB_COMPLETION_INDEX \(a Kubernetes Indexed Job\) in the environment for --shard auto, but neither is set\.$/);
    fails(2, { SLURM_ARRAY_TASK_ID: '1a' }, /^Expected SLURM_ARRAY_TASK_ID to be a non-negative integer, but got "1a"\.$/);
    fails(2, { JOB_COMPLETION_INDEX: '-1' }, /^Expected JOB_COMPLETION_INDEX to be a non-negative integer, but got "-1"\.$/);
    fails(4, { SLURM_ARRAY_TASK_ID: '1', JOB_COMPLETION_INDEX: '2' }, /^Expected SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX to agree when both are set, but got 1 and 2\.$/);
    fails(2, { SLURM_ARRAY_TASK_ID: '2' }, /^Expected SLURM_ARRAY_TASK_ID below --shards 2 \(indices 0-1\), but got 2: the job has more tasks than the sweep has shards\.$/);
    fails(3, { JOB_COMPLETION_INDEX: '7' }, /^Expected JOB_COMPLETION_INDEX below --shards 3 \(indices 0-2\), but got 7/);
    for (const count of [0, -1, 1.5, Number.NaN]) fails(count, { SLURM_ARRAY_TASK_ID: '0' }, /^Expected --shards N with N a positive integer, but got/);
    expect(new ShardIndexError('x').name).toBe('ShardIndexError');
  });

  it('resolves --shard and --shards together', () => {
    const env = { SLURM_ARRAY_TASK_ID: '1' };
    expect(resolveShard(undefined, undefined, env)).toBeUndefined();
    expect(resolveShard('auto', 3, env)).toEqual({ index: 1, count: 3 });
    expect(resolveShard('0/2', 2, env)).toEqual({ index: 0, count: 2 });
    expect(resolveShard('0/2', undefined, env)).toEqual({ index: 0, count: 2 });
    expect(() => resolveShard('auto', undefined, env)).toThrow(/^Expected --shards N \(the number of shards the sweep is split into\) with --shard auto, but got none\.$/);
    expect(() => resolveShard(undefined, 2, env)).toThrow(/^Expected --shard auto or --emit with --shards 2, but got neither\.$/);
    expect(() => resolveShard('0/2', 3, env)).toThrow(/^Expected --shards to equal the n of --shard i\/n, but got --shards 3 with --shard 0\/2\.$/);
    expect(() => resolveShard('autoo', 2, env)).toThrow(/or auto with --shards n, but got "autoo"/);
  });
});

describe('cluster job options', () => {
  it('has defaults, translates memory and time for Kubernetes, and names a bad flag', () => {
    expect(parseClusterJob({ shards: 4 })).toEqual({ shards: 4, cpus: 2, memory: '4G', time: '02:00:00', image: 'loopgym:latest', pvc: 'loopgym-results' });
    expect(kubernetesMemory('512M')).toBe('512Mi');
    expect(timeLimitSeconds('1-02:03:04')).toBe(86400 + 7200 + 180 + 4);
    expect(() => parseClusterJob({ shards: 0 })).toThrow(/^--shards: Expected a positive integer, but got 0\.$/);
    expect(() => parseClusterJob({ shards: 2, memory: '4GB' })).toThrow(/^--memory: Expected an amount like 4G or 512M, but got "4GB"\.$/);
    expect(() => parseClusterJob({ shards: 2, time: '90' })).toThrow(/^--time: Expected a limit like 02:00:00 or 1-00:00:00, but got "90"\.$/);
    expect(() => parseClusterJob({ shards: 2, parallelism: 3 })).toThrow(/^--parallelism: Expected at most --shards \(2\) shards at once, but got 3\.$/);
    expect(() => parseClusterJob({ shards: 2, parallelism: 3 })).toThrow(ConfigError);
  });
});

describe('emitted Slurm job array', () => {
  const job = parseClusterJob({ shards: 4, parallelism: 2, cpus: 4, memory: '8G', time: '01:30:00', partition: 'cpu', account: 'rl-lab' });
  const files = slurmFiles('tiny-cluster', job, { jobDir: '/scratch/results/tiny-cluster/slurm', resultsRoot: '/scratch/results', command: ['/usr/bin/node', '/opt/loopgym/dist/src/cli/main.js'] });

  it('matches the golden sbatch scripts', () => {
    expectGolden('sweep.sbatch', files['sweep.sbatch']);
    expectGolden('report.sbatch', files['report.sbatch']);
    expectGolden('slurm-submit.sh', files['submit.sh']);
  });

  it('holds the array, its limit, the resources and the shard command; bash parses every script', () => {
    const sweep = files['sweep.sbatch'];
    expect(sweep).toMatch(/^#SBATCH --array=0-3%2$/m);
    expect(sweep).toMatch(/^#SBATCH --cpus-per-task=4$/m);
    expect(sweep).toMatch(/^#SBATCH --mem=8G$/m);
    expect(sweep).toMatch(/^#SBATCH --time=01:30:00$/m);
    expect(sweep).toMatch(/^loopgym sweep \/scratch\/results\/tiny-cluster\/slurm\/spec\.json --shard auto --shards 4 --workers 4 --out \/scratch\/results --resume --no-report$/m);
    expect(files['report.sbatch']).toMatch(/^loopgym report \/scratch\/results\/tiny-cluster$/m);
    expect(files['submit.sh']).toMatch(/--dependency=afterok:"\$sweep_job" --kill-on-invalid-dep=yes report\.sbatch/);
    // #SBATCH lines must come before the first command, or sbatch ignores them.
    const lines = sweep.split('\n');
    const firstCommand = lines.findIndex((l) => l !== '' && !l.startsWith('#'));
    expect(lines.slice(firstCommand).some((l) => l.startsWith('#SBATCH'))).toBe(false);
    const dir = scratch();
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(dir, name), text);
      const check = spawnSync('bash', ['-n', join(dir, name)], { encoding: 'utf8' });
      expect(check.status, `${name}: ${check.stderr}`).toBe(0);
    }
    const unlimited = slurmFiles('x', parseClusterJob({ shards: 3 }), { jobDir: '/r/x/slurm', resultsRoot: '/r', command: ['loopgym'] });
    expect(unlimited['sweep.sbatch']).toMatch(/^#SBATCH --array=0-2$/m);
    expect(unlimited['sweep.sbatch']).not.toMatch(/--partition|--account/);
    expect(() => slurmFiles('x', job, { jobDir: '/my results/x/slurm', resultsRoot: '/my results', command: ['loopgym'] })).toThrow(/Expected an absolute job folder path .* but got "\/my results\/x\/slurm"/);
  });
});

describe('emitted Kubernetes Indexed Job', () => {
  const job = parseClusterJob({ shards: 4, parallelism: 2, cpus: 4, memory: '8G', time: '01:30:00', image: 'registry.example/loopgym:0.1.0', pvc: 'rl-results' });
  const files = kubernetesFiles(sweepSpec, job);

  it('matches the golden manifests', () => {
    expectGolden('sweep.yaml', files['sweep.yaml']);
    expectGolden('report.yaml', files['report.yaml']);
    expectGolden('k8s-submit.sh', files['submit.sh']);
  });

  it('parses as YAML: a ConfigMap with the spec, an Indexed Job with the index env and results volume, a report Job', () => {
    const docs = parseAllDocuments(files['sweep.yaml']).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as Record<string, any>;
    });
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'Job']);
    const [configMap, sweep] = docs;
    expect(JSON.parse(configMap.data['spec.json'])).toEqual(JSON.parse(JSON.stringify(sweepSpec)));
    expect(expandRuns(parseSpec(JSON.parse(configMap.data['spec.json']))).map((p) => p.runId)).toEqual(expandRuns(sweepSpec).map((p) => p.runId));
    expect(sweep.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 2 });
    const pod = sweep.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.activeDeadlineSeconds).toBe(5400);
    const container = pod.containers[0];
    expect(container.image).toBe('registry.example/loopgym:0.1.0');
    expect(container.command).toEqual(['loopgym', 'sweep', '/etc/loopgym/spec.json', '--shard', 'auto', '--shards', '4', '--workers', '4', '--out', '/results', '--resume', '--no-report']);
    expect(container.env).toEqual([{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    expect(container.resources).toEqual({ requests: { cpu: '4', memory: '8Gi' }, limits: { cpu: '4', memory: '8Gi' } });
    expect(pod.volumes).toContainEqual({ name: 'results', persistentVolumeClaim: { claimName: 'rl-results' } });
    expect(container.volumeMounts).toContainEqual({ name: 'results', mountPath: '/results' });

    const report = parseYaml(files['report.yaml']) as Record<string, any>;
    expect(report.kind).toBe('Job');
    expect(report.spec.completionMode).toBeUndefined();
    expect(report.spec.template.spec.containers[0].command).toEqual(['loopgym', 'report', '/results/tiny-cluster']);
    expect(report.spec.template.spec.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: 'rl-results' } }]);
    expect(spawnSync('bash', ['-n', '-c', files['submit.sh']]).status).toBe(0);
  });

  it('names objects as DNS labels and quotes every scalar YAML could misread', () => {
    expect(kubernetesName('My_Sweep.v2')).toBe('loopgym-my-sweep-v2');
    expect(kubernetesName('x'.repeat(80)).length).toBeLessThanOrEqual(48);
    const tricky = { a: 'true', b: '2', c: 'a: b', d: 'x #y', e: '', f: '-', g: "it's", h: 'ümlaut', i: 'null', j: '0x1F', k: 'end:', l: '1e3', m: ' pad', n: 'a\nb' };
    const doc = yamlDocument({ ...tricky, list: ['yes', 3, false, null, { k: 'v', w: ['x'] }], block: new LiteralBlock('{\n  "x": 1\n}\n'), empty: {}, none: [] });
    expect(parseYaml(doc)).toEqual({ ...tricky, list: ['yes', 3, false, null, { k: 'v', w: ['x'] }], block: '{\n  "x": 1\n}\n', empty: {}, none: [] });
  });
});

describe('loopgym sweep --emit and --shard auto', () => {
  const loopgym = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  /** Runs the CLI in this process (no Node start-up per call); returns what it printed. */
  async function inProcess(args: string[]): Promise<string> {
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (printed.push(String(chunk)), true));
    try {
      await runCli(args);
    } finally {
      spy.mockRestore();
    }
    return printed.join('');
  }
  const specFile = (spec: unknown) => {
    const path = join(scratch(), 'spec.json');
    writeFileSync(path, JSON.stringify(spec));
    return path;
  };

  it('emits a Slurm job beside the results and says how to submit it', () => {
    const specPath = specFile(sweepSpec);
    const out = join(scratch(), 'results');
    const result = loopgym(['sweep', specPath, '--emit', 'slurm', '--shards', '2', '--parallelism', '1', '--set', 'totalSteps=64', '--out', out]);
    expect(result.status, result.stderr).toBe(0);
    const jobDir = join(out, 'tiny-cluster', 'slurm');
    expect(readdirSync(jobDir).sort()).toEqual(['logs', 'report.sbatch', 'spec.json', 'submit.sh', 'sweep.sbatch']);
    expect(result.stdout).toMatch(/tiny-cluster: 4 run\(s\) in 2 shard\(s\)/);
    expect(result.stdout).toContain(`submit:  bash ${jobDir}/submit.sh`);
    expect(JSON.parse(readFileSync(join(jobDir, 'spec.json'), 'utf8')).totalSteps).toBe(64); // --set is carried into the job
    expect(readFileSync(join(jobDir, 'sweep.sbatch'), 'utf8')).toContain(`else ${process.execPath} ${bin} "$@"`);
  });

  it('emits Kubernetes manifests, keeps an emitted spec from being swapped, and refuses flags that do not fit', async () => {
    const specPath = specFile(sweepSpec);
    const out = join(scratch(), 'results');
    const k8s = JSON.parse(await inProcess(['sweep', specPath, '--emit', 'k8s', '--shards', '4', '--out', out, '--json']));
    expect(k8s).toMatchObject({ engine: 'k8s', runs: 4, shards: 4 });
    expect(readdirSync(join(out, 'tiny-cluster', 'k8s')).sort()).toEqual(['report.yaml', 'submit.sh', 'sweep.yaml']);

    await inProcess(['sweep', specPath, '--emit', 'slurm', '--shards', '2', '--out', out]);
    await expect(inProcess(['sweep', specPath, '--emit', 'slurm', '--shards', '2', '--set', 'totalSteps=96', '--out', out])).rejects.toThrow(
      /^Expected .*spec\.json to hold the same spec, or no file, but it holds another/,
    );
    const other = join(scratch(), 'other');
    const cases: [string[], RegExp][] = [
      [['--emit', 'slurm'], /^Expected --shards N \(how many tasks split the sweep\) with --emit, but got none\.$/],
      [['--emit', 'slurm', '--shards', '5'], /^Expected --shards at most the sweep's 4 run\(s\), but got 5/],
      [['--emit', 'slurm', '--shards', '2', '--shard', '0/2'], /^Expected no --shard with --emit/],
      [['--emit', 'k8s', '--shards', '2', '--memory', '2GB'], /^--memory: Expected an amount like 4G or 512M, but got "2GB"\.$/],
      [['--cpus', '4'], /^Expected --emit slurm or k8s with --cpus, but got no --emit\.$/],
      [['--shard', 'auto'], /^Expected --shards N/],
    ];
    for (const [args, message] of cases) await expect(inProcess(['sweep', specPath, '--out', other, ...args]), args.join(' ')).rejects.toThrow(message);
    await expect(inProcess(['sweep', specPath, '--shard', 'auto', '--out', other])).rejects.toThrow(ShardIndexError);
    expect(existsSync(other)).toBe(false);
    await expect(inProcess(['sweep', specPath, '--emit', 'pbs', '--shards', '2'])).rejects.toThrow(CliUsageError);
  });

  it('runs the shard the array task names, and writes no report for a shard', () => {
    const specPath = specFile({ ...sweepSpec, sweep: undefined, seeds: [0, 1] });
    const out = join(scratch(), 'results');
    const missing = loopgym(['sweep', specPath, '--shard', 'auto', '--shards', '2', '--out', out], { SLURM_ARRAY_TASK_ID: '', JOB_COMPLETION_INDEX: '' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^loopgym: ShardIndexError: Expected SLURM_ARRAY_TASK_ID \(a Slurm job array task\) or JOB_COMPLETION_INDEX/);
    const result = loopgym(['sweep', specPath, '--shard', 'auto', '--shards', '2', '--workers', '1', '--out', out], { SLURM_ARRAY_TASK_ID: '1' });
    expect(result.status, result.stderr).toBe(0);
    const experimentDir = join(out, 'tiny-cluster');
    expect(readdirSync(experimentDir)).toEqual([expandRuns(parseSpec(JSON.parse(readFileSync(specPath, 'utf8'))))[1].runId]);
    expect(result.stdout).toContain(`shard 1/2: no report (it would hold this shard only); merge every shard with: loopgym report ${experimentDir}`);
    expect(existsSync(join(experimentDir, 'report.md'))).toBe(false);
  });
});
