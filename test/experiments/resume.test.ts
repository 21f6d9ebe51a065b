/**
 * Mid-run resume (issue 12 item 3): a run killed with SIGKILL after at least one checkpoint continues from it
 * and ends byte-identical (summary.json, metrics.jsonl, episodes.csv) to the same run uninterrupted: PPO on
 * Orchestrator-v0 with the learned reward (whose learner is re-derived by replaying the env), and DQN on
 * CartPole (whose replay buffer is in the checkpoint). A finished run leaves no checkpoint/; --fresh ignores one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/experiments/checkpoint.js';

const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

const SPECS = {
  'ppo-orchestrator-learned': {
    env: { id: 'Orchestrator-v0', numEnvs: 2 },
    agent: { name: 'ppo', numSteps: 256, batchSize: 128, numEpochs: 2, normalizeObs: true, normalizeReward: true },
    reward: { mode: 'learned', model: { kind: 'tfjs-mlp', refitEvery: 3000 } },
    totalSteps: 16_384,
    evaluation: { episodes: 2, everySteps: 4096 },
    checkpoint: { everySteps: 2048 },
  },
  'dqn-cartpole': {
    env: { id: 'CartPole-v1' },
    agent: { name: 'dqn', learningRate: 0.001, batchSize: 64, bufferSize: 20_000, learningStarts: 500, targetUpdateInterval: 10, trainFreq: 64, gradientSteps: 32, explorationFraction: 0.2, layers: [64, 64], logInterval: 500 },
    totalSteps: 6000,
    evaluation: { episodes: 2, everySteps: 2000 },
    checkpoint: { everySteps: 1000 },
  },
};

function train(spec: string, out: string, extra: string[] = []) {
  return spawnSync(process.execPath, [bin, 'train', spec, '--out', out, '--quiet', ...extra], { encoding: 'utf8' });
}

/** Starts training, waits for the first checkpoint, then kills the process with SIGKILL; returns the run folder. */
async function trainAndKill(spec: string, out: string, name: string): Promise<string> {
  const child = spawn(process.execPath, [bin, 'train', spec, '--out', out, '--quiet'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const experiment = join(out, name);
  let runDir: string | null = null;
  for (let i = 0; i < 1200 && runDir === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const dirs = existsSync(experiment) ? readdirSync(experiment).filter((d) => existsSync(join(experiment, d, 'checkpoint', 'run.json'))) : [];
    if (dirs.length > 0) runDir = join(experiment, dirs[0]);
  }
  child.kill('SIGKILL');
  await exited;
  if (runDir === null) throw new Error('no checkpoint appeared within 30 s');
  return runDir;
}

describe('mid-run resume after SIGKILL', () => {
  for (const [name, body] of Object.entries(SPECS)) {
    it(`${name}: resumed from a checkpoint, byte-identical to the uninterrupted run`, async () => {
      const root = mkdtempSync(join(tmpdir(), `loopgym-resume-${name}-`));
      const spec = join(root, 'spec.json');
      writeFileSync(spec, JSON.stringify({ name, ...body }));
      const straight = train(spec, join(root, 'a'));
      expect(straight.status, straight.stderr).toBe(0);

      const killedDir = await trainAndKill(spec, join(root, 'b'), name);
      expect(existsSync(join(killedDir, 'summary.json'))).toBe(false);
      const checkpoint = readCheckpoint(killedDir);
      expect(checkpoint!.steps).toBeGreaterThan(0);
      expect(checkpoint!.steps).toBeLessThan(body.totalSteps);
      const resumed = train(spec, join(root, 'b'), ['--resume']);
      expect(resumed.status, resumed.stderr).toBe(0);

      const runA = join(root, 'a', name, readdirSync(join(root, 'a', name)).find((d) => d.endsWith('-s0'))!);
      for (const file of ['summary.json', 'metrics.jsonl', 'episodes.csv']) {
        expect(readFileSync(join(killedDir, file)).equals(readFileSync(join(runA, file))), file).toBe(true);
      }
      expect(existsSync(join(killedDir, 'checkpoint'))).toBe(false);
    }, 180_000);
  }
});

describe('checkpoint pieces', () => {
  it('ActionLogVectorEnv replays a recorded history into a fresh env: the same next step', async () => {
    const { makeVec } = await import('../../src/core/registry.js');
    await import('../../envs/index.js');
    const { ActionLogVectorEnv } = await import('../../src/experiments/checkpoint.js');
    const first = new ActionLogVectorEnv(makeVec('Orchestrator-v0', { numEnvs: 3 }));
    let masks = first.reset({ seed: 5 }).actionMasks!;
    const actions = new Int32Array(3);
    const pick = (t: number) => {
      for (let i = 0; i < 3; i++) {
        let a = (t * 7 + i) % 15;
        while (!masks[i * 15 + a]) a = (a + 1) % 15;
        actions[i] = a;
      }
    };
    for (let t = 0; t < 700; t++) {
      pick(t);
      masks = first.step(actions).actionMasks!.slice();
    }
    const again = new ActionLogVectorEnv(makeVec('Orchestrator-v0', { numEnvs: 3 }));
    again.replay(first.history());
    pick(700);
    const a = first.step(actions);
    const b = again.step(actions);
    expect(Array.from(b.obs)).toEqual(Array.from(a.obs));
    expect(Array.from(b.rewards)).toEqual(Array.from(a.rewards));
    expect(again.history().actions).toEqual(first.history().actions);
  });

  it('reads the last good checkpoint (.checkpoint.old after a kill between renames); refuses a corrupt one by name', async () => {
    const { renameSync, mkdirSync } = await import('node:fs');
    const root = mkdtempSync(join(tmpdir(), 'loopgym-ckpt-'));
    expect(readCheckpoint(root)).toBeNull();
    mkdirSync(join(root, 'checkpoint', 'learner'), { recursive: true });
    writeFileSync(join(root, 'checkpoint', 'env-actions.bin'), new Uint8Array(8));
    writeFileSync(join(root, 'checkpoint', 'run.json'), JSON.stringify({ format: 'loopgym.run-checkpoint/1', steps: 2, env: { numEnvs: 1, resets: [], steps: 2 }, recorder: {} }));
    expect(readCheckpoint(root)!.env.actions).toHaveLength(2);
    renameSync(join(root, 'checkpoint'), join(root, '.checkpoint.old'));
    expect(readCheckpoint(root)!.steps).toBe(2);
    writeFileSync(join(root, '.checkpoint.old', 'env-actions.bin'), new Uint8Array(3));
    expect(() => readCheckpoint(root)).toThrow(/Expected a readable checkpoint in .*\.checkpoint\.old, but Expected 8 bytes of actions, but found 3 \(train again from the start with --fresh\)/);
  });
});

describe('checkpoints in the runner', () => {
  it('a2c checkpoints too; a finished run removes checkpoint/ (keep: true keeps it); a rerun with --fresh starts over from a checkpoint', async () => {
    const root = mkdtempSync(join(tmpdir(), 'loopgym-ckpt-run-'));
    const body = { name: 'a2c-ckpt', env: { id: 'CartPole-v1', numEnvs: 4 }, agent: { name: 'a2c' }, totalSteps: 4000, evaluation: { episodes: 2 }, checkpoint: { everySteps: 1000, keep: true } };
    const spec = join(root, 'spec.json');
    writeFileSync(spec, JSON.stringify(body));
    const first = train(spec, join(root, 'out'));
    expect(first.status, first.stderr).toBe(0);
    const runDir = join(root, 'out', 'a2c-ckpt', readdirSync(join(root, 'out', 'a2c-ckpt')).find((d) => d.endsWith('-s0'))!);
    const kept = readCheckpoint(runDir)!;
    expect(kept.steps).toBeGreaterThanOrEqual(3000);
    // Pretend the run was killed after that checkpoint: without summary.json, a rerun continues from it
    // and ends where the straight run ended.
    const summary = readFileSync(join(runDir, 'summary.json'));
    const { rmSync } = await import('node:fs');
    rmSync(join(runDir, 'summary.json'));
    const again = train(spec, join(root, 'out'));
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(join(runDir, 'summary.json')).equals(summary)).toBe(true);
    // --fresh removes the checkpoint and trains from the start (same result, checkpoints written anew).
    const fresh = train(spec, join(root, 'out'), ['--fresh', '--yes']);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(readFileSync(join(runDir, 'summary.json')).equals(summary)).toBe(true);
    writeFileSync(spec, JSON.stringify({ ...body, checkpoint: { everySteps: 1000 } }));
    rmSync(join(runDir, 'summary.json'));
    expect(train(spec, join(root, 'out')).status).toBe(0);
    expect(existsSync(join(runDir, 'checkpoint'))).toBe(false);
  }, 120_000);
});
