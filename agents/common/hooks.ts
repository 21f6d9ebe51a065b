/**
 * Training hooks (SB3's callbacks): each gets the agent's typed TrainingState and may return `false` to
 * stop training. Algorithms call `onStep` after every rollout (on-policy) or every `logInterval` env steps
 * (DQN), so `everySteps` intervals are honoured at that granularity.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { TrainingHook, TrainingState } from '../../src/core/agent.js';
import type { Env } from '../../src/core/env.js';
import { ConfigError } from '../../src/core/errors.js';
import { evaluate, type EvaluateResult } from './evaluate.js';
import type { Logger } from './logger.js';

/** Runs `method` of every hook; false if any asked to stop. */
export async function runHooks(hooks: readonly TrainingHook[], method: 'onStart' | 'onStep', state: TrainingState): Promise<boolean> {
  let keepGoing = true;
  for (const hook of hooks) {
    const result = await hook[method]?.(state);
    if (result === false) keepGoing = false;
  }
  return keepGoing;
}

export async function endHooks(hooks: readonly TrainingHook[], state: TrainingState): Promise<void> {
  for (const hook of hooks) await hook.onEnd?.(state);
}

function positiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`Expected ${what} to be a positive integer, but got ${value}.`);
}

export interface EvalHookOptions {
  env: Env<Float32Array, number>;
  everySteps: number;
  episodes?: number;
  deterministic?: boolean;
  /** Records `eval/mean_reward` and `eval/mean_ep_length` here when given. */
  logger?: Logger;
}

/** Evaluates the agent on a separate env every `everySteps` env steps. */
export class EvalHook implements TrainingHook {
  readonly results: Array<{ step: number } & EvaluateResult> = [];
  private nextAt: number;

  constructor(private readonly options: EvalHookOptions) {
    positiveInteger(options.everySteps, 'EvalHook everySteps');
    this.nextAt = options.everySteps;
  }

  onStep(state: TrainingState): void {
    if (state.stepsDone < this.nextAt) return;
    while (this.nextAt <= state.stepsDone) this.nextAt += this.options.everySteps;
    const result = evaluate(state.agent, this.options.env, this.options.episodes ?? 5, { deterministic: this.options.deterministic ?? true });
    this.results.push({ step: state.stepsDone, ...result });
    this.options.logger?.record('eval/mean_reward', result.meanReward);
    this.options.logger?.record('eval/mean_ep_length', result.episodeLengths.reduce((a, b) => a + b, 0) / result.episodeLengths.length);
  }
}

/** Saves the agent to `dir/<prefix>_<steps>_steps` every `everySteps` env steps. */
export class CheckpointHook implements TrainingHook {
  readonly saved: string[] = [];
  private nextAt: number;

  constructor(private readonly options: { dir: string; everySteps: number; prefix?: string }) {
    positiveInteger(options.everySteps, 'CheckpointHook everySteps');
    this.nextAt = options.everySteps;
  }

  async onStep(state: TrainingState): Promise<void> {
    if (state.stepsDone < this.nextAt) return;
    while (this.nextAt <= state.stepsDone) this.nextAt += this.options.everySteps;
    const dir = path.join(this.options.dir, `${this.options.prefix ?? 'checkpoint'}_${state.stepsDone}_steps`);
    await state.agent.save(dir);
    this.saved.push(dir);
  }
}

/**
 * Stops training once the mean return of the last `window` finished training episodes reaches
 * `threshold` (e.g. CartPole-v1's 475). Records when it happened.
 */
export class StopOnRewardThreshold implements TrainingHook {
  private readonly returns: number[] = [];
  reachedAt: { step: number; mean: number } | null = null;

  constructor(readonly threshold: number, readonly window = 100) {
    positiveInteger(window, 'StopOnRewardThreshold window');
  }

  onStep(state: TrainingState): boolean {
    for (const e of state.newEpisodes) {
      this.returns.push(e.return);
      if (this.returns.length > this.window) this.returns.shift();
    }
    if (this.returns.length < this.window) return true;
    const mean = this.returns.reduce((a, b) => a + b, 0) / this.returns.length;
    if (mean >= this.threshold) {
      this.reachedAt = { step: state.stepsDone, mean };
      return false;
    }
    return true;
  }
}

/** A progress bar on a TTY; plain lines (every 10%) otherwise, so CI logs stay readable. */
export class ProgressBarHook implements TrainingHook {
  private bar: cliProgress.SingleBar | null = null;
  private nextPercent = 10;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  onStart(state: TrainingState): void {
    if (this.stream.isTTY) {
      this.bar = new cliProgress.SingleBar({ stream: this.stream, format: '{bar} {percentage}% | {value}/{total} steps | ep_rew_mean {rew}' }, cliProgress.Presets.shades_classic);
      this.bar.start(state.totalSteps, 0, { rew: '-' });
    }
  }

  onStep(state: TrainingState): void {
    const rew = state.metrics['rollout/ep_rew_mean'];
    const rewText = rew === undefined ? '-' : rew.toFixed(1);
    if (this.bar) {
      this.bar.update(Math.min(state.stepsDone, state.totalSteps), { rew: rewText });
      return;
    }
    const percent = (100 * state.stepsDone) / state.totalSteps;
    if (percent >= this.nextPercent) {
      this.stream.write(`${Math.floor(percent)}% ${state.stepsDone}/${state.totalSteps} steps, ep_rew_mean ${rewText}\n`);
      while (this.nextPercent <= percent) this.nextPercent += 10;
    }
  }

  onEnd(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
