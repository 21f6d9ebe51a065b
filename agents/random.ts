/**
 * The random baseline: uniform over the allowed actions (`actionSpace.sample(rng, mask)`, so an all-zero
 * mask gives action 0, Gymnasium's rule), for any Discrete action space. It reads nothing of the env, so it
 * lives with the general agents; the baselines that read the Orchestrator's internals live beside that env.
 *
 * Its stream is `Rng('baseline/random/<seed>')` with `seed` from its config, not the context's seed: every
 * run of an experiment compares against the same random play. It does not learn (`learn` returns at once);
 * `save`/`load` write the agent folder (agent-folder.ts) with its config and stream.
 */
import { z } from 'zod';
import type { ActOptions, Agent, LearnArgs, LearnResult } from '../src/core/agent.js';
import { resolveConfig } from '../src/core/config-schema.js';
import { ConfigError } from '../src/core/errors.js';
import { Rng } from '../src/core/rng.js';
import { Discrete } from '../src/core/spaces.js';
import { checkAgentFolder, newAgentFolder, readAgentFolder, restoreRngs, writeAgentFolder } from './common/agent-folder.js';
import type { AgentContext } from './common/context.js';

export const RandomAgentConfigSchema = z.strictObject({
  seed: z.number().default(0).describe("Seed of the agent's stream Rng('baseline/random/<seed>') (not the context's seed)"),
});

export type RandomAgentConfig = z.output<typeof RandomAgentConfigSchema>;
export type RandomAgentConfigInput = z.input<typeof RandomAgentConfigSchema>;

export class RandomAgent implements Agent {
  readonly name = 'random';
  private readonly actionSpace: Discrete;
  private seed: number;
  private rng: Rng;

  constructor(config: RandomAgentConfigInput, private readonly context: AgentContext) {
    if (!(context.actionSpace instanceof Discrete)) throw new ConfigError(`Expected a Discrete action space for the random baseline, but got ${context.actionSpace}.`);
    const { seed } = resolveConfig(RandomAgentConfigSchema, config, 'random');
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
    this.seed = resolveConfig(RandomAgentConfigSchema, saved.config, 'random').seed;
    this.rng = restoreRngs(saved, ['random']).random;
  }
}
