/**
 * The random baseline: uniform over the allowed actions (`actionSpace.sample(rng, mask)`, so an all-zero
 * mask gives action 0, Gymnasium's rule), for any Discrete action space. It reads nothing of the env, so it
 * lives with the general agents; the baselines that read the Orchestrator's internals live beside that env.
 *
 * Its stream is `Rng('baseline/random/<seed>')` with `seed` from its config (default 0), not the context's
 * seed: every run of an experiment compares against the same random play. It does not learn (`learn`
 * returns at once); `save`/`load` write the agent folder (agent-folder.ts) with its config and stream.
 */
import type { ActOptions, Agent, LearnArgs, LearnResult } from '../src/core/agent.js';
import { ConfigError, describeValue } from '../src/core/errors.js';
import { Rng } from '../src/core/rng.js';
import { Discrete } from '../src/core/spaces.js';
import { checkAgentFolder, newAgentFolder, readAgentFolder, restoreRngs, writeAgentFolder } from './common/agent-folder.js';
import type { AgentContext } from './common/context.js';

export interface RandomAgentConfig {
  /** Seed of the agent's stream. Other keys are ignored: baseline runners hand every baseline the same options. */
  seed?: number;
}

export class RandomAgent implements Agent {
  readonly name = 'random';
  private readonly actionSpace: Discrete;
  private seed: number;
  private rng: Rng;

  constructor(config: RandomAgentConfig, private readonly context: AgentContext) {
    if (!(context.actionSpace instanceof Discrete)) throw new ConfigError(`Expected a Discrete action space for the random baseline, but got ${context.actionSpace}.`);
    const seed = config.seed ?? 0;
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new ConfigError(`Expected seed to be a finite number, but got ${describeValue(seed)}.`);
    this.actionSpace = context.actionSpace;
    this.seed = seed;
    this.rng = new Rng(`baseline/random/${seed}`);
  }

  async learn(_args: LearnArgs): Promise<LearnResult> {
    return { stepsDone: 0, iterations: 0, stoppedEarly: false };
  }

  act(_obs: Float32Array, options: ActOptions = {}): number {
    return this.actionSpace.sample(this.rng, options.mask);
  }

  async save(dir: string): Promise<void> {
    writeAgentFolder(
      dir,
      newAgentFolder({
        algorithm: this.name,
        config: { seed: this.seed },
        observationSpace: this.context.observationSpace.toJSON(),
        actionSpace: this.actionSpace.toJSON(),
        progress: { stepsDone: 0, iterations: 0 },
        rng: { random: this.rng.state() },
        state: null,
        export: null,
      }),
    );
  }

  async load(dir: string): Promise<void> {
    const saved = await readAgentFolder(dir);
    checkAgentFolder(saved, this.name, dir, this.context);
    this.seed = Number(saved.config.seed ?? 0);
    this.rng = restoreRngs(saved, ['random']).random;
  }
}
