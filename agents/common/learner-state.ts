/**
 * What every network learner (PPO, A2C, REINFORCE, DQN) keeps besides its config and its networks, in one
 * object: sizes, Rng streams, the normalizer, episode statistics, progress counters and the logger.
 * `save` writes it with the networks' folders into the agent folder (agent-folder.ts), `restore` reads it
 * back, so a loaded agent continues exactly as the saved one would have (a checkpoint is a save);
 * `TrainingLoop` advances its counters and logs through its logger.
 */
import { DataError } from '../../src/core/errors.js';
import type { Rng } from '../../src/core/rng.js';
import { backendInfo } from '../../src/nn/backend.js';
import type { StatefulOptimizer } from '../../src/nn/optim.js';
import { checkAgentFolder, loadOptimizer, newAgentFolder, readAgentFolder, restoreRngs, rngSection, saveOptimizer, writeAgentFolder, type AgentFolder, type ExportSection } from './agent-folder.js';
import { rootRng, type AgentContext } from './context.js';
import { EpisodeStats } from './episodes.js';
import { Logger, type LogFormat } from './logger.js';
import { Normalizer } from './normalize.js';
import { discreteActions } from './vec.js';

/** Which normalization an agent applies inside (SB3's VecNormalize), from its config. */
export interface Normalization {
  obs: boolean;
  reward: boolean;
  gamma: number;
}

export interface LearnerStateOptions<S extends string> {
  /** Named forks of the root stream, made in this order (the root itself is `main`). */
  streams: readonly S[];
  /** The agent's normalization, or null for agents without a normalizer (DQN). */
  normalization: Normalization | null;
  /** Where the logger writes (the agent's config fields of these names). */
  log: { logFormats: LogFormat[]; logDir: string | null };
}

/** What an agent saves beside its LearnerState. */
export interface SavedParts {
  /** The resolved config. */
  config: object;
  /** Network role -> folder (already written). */
  networks: Record<string, string>;
  optimizer: StatefulOptimizer | null;
  /** The algorithm's own JSON state (see agent-folder.ts). */
  state?: unknown;
  export: ExportSection | null;
}

/** The part of a LearnerState that TrainingLoop advances and reads. */
export interface LearnerProgress {
  readonly obsDim: number;
  readonly episodes: EpisodeStats;
  readonly logger: Logger;
  stepsDone: number;
  iterations: number;
}

export class LearnerState<S extends string> implements LearnerProgress {
  readonly obsDim: number;
  readonly numActions: number;
  /** The root stream (`main`: env seeds, network init) and the algorithm's named forks of it. */
  rngs: Record<'main' | S, Rng>;
  normalizer: Normalizer | null;
  readonly episodes = new EpisodeStats();
  readonly logger: Logger;
  /** Env steps learned from, over every learn() call. */
  stepsDone = 0;
  /** Updates made (the algorithm says what one is), over every learn() call. */
  iterations = 0;

  private readonly streamNames: readonly string[];

  constructor(readonly algorithm: string, readonly context: AgentContext, options: LearnerStateOptions<S>) {
    this.obsDim = context.observationSpace.flatDim;
    this.numActions = discreteActions(context.actionSpace, algorithm);
    const main = rootRng(context);
    this.rngs = { main } as Record<'main' | S, Rng>;
    for (const name of options.streams) this.rngs[name] = main.fork(name);
    this.streamNames = ['main', ...options.streams];
    this.normalizer = this.newNormalizer(options.normalization);
    const { logFormats, logDir } = options.log;
    this.logger = new Logger({ formats: logFormats, ...(logDir ? { dir: logDir } : {}) });
  }

  private newNormalizer(n: Normalization | null): Normalizer | null {
    return n ? new Normalizer(this.obsDim, n.obs, n.reward, n.gamma) : null;
  }

  /** Writes the optimizer state and agent.json; the networks' folders must be written already. */
  async save(dir: string, parts: SavedParts): Promise<void> {
    const optimizer = parts.optimizer ? await saveOptimizer(dir, parts.optimizer) : null;
    const n = this.normalizer;
    const folder = newAgentFolder({
      algorithm: this.algorithm,
      config: parts.config as Record<string, unknown>,
      observationSpace: this.context.observationSpace.toJSON(),
      actionSpace: this.context.actionSpace.toJSON(),
      engine: { ...backendInfo() },
      progress: { stepsDone: this.stepsDone, iterations: this.iterations },
      rng: rngSection(this.rngs),
      normalizer: n ? { ...n.state(), epsilon: n.epsilon, clipObs: n.clipObs, clipReward: n.clipReward } : null,
      episodes: this.episodes.state(),
      networks: parts.networks,
      optimizer,
      state: parts.state ?? null,
      export: parts.export,
    });
    writeAgentFolder(dir, folder);
  }

  /** Reads agent.json of `dir`, refusing another algorithm or other spaces. */
  async read(dir: string): Promise<AgentFolder> {
    const folder = await readAgentFolder(dir);
    checkAgentFolder(folder, this.algorithm, dir, this.context);
    return folder;
  }

  /**
   * Restores streams, normalizer (rebuilt for the loaded config's `normalization`), episode statistics,
   * counters and the optimizer from a folder `read` returned.
   */
  async restore(dir: string, folder: AgentFolder, optimizer: StatefulOptimizer | null, normalization: Normalization | null): Promise<void> {
    if (optimizer) await loadOptimizer(dir, optimizer, folder.optimizer);
    this.rngs = restoreRngs(folder, this.streamNames) as Record<'main' | S, Rng>;
    this.normalizer = this.newNormalizer(normalization);
    if (this.normalizer) {
      if (!folder.normalizer) throw new DataError(`Expected normalizer statistics in the saved ${this.algorithm} agent in ${dir}, but the section is null.`);
      this.normalizer.setState(folder.normalizer);
    }
    if (folder.episodes) this.episodes.setState(folder.episodes);
    this.stepsDone = folder.progress.stepsDone;
    this.iterations = folder.progress.iterations;
  }
}
