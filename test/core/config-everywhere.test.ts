/**
 * The one config style, everywhere: every agent, reward model, env's kwargs and the experiment spec refuse
 * a typo'd key with a did-you-mean and a bad value with its field, range and value; every field is
 * documented; and the defaults are the values they were before the schemas (so results do not move).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  A2C_DEFAULTS,
  DQN_DEFAULTS,
  ForestRewardModel,
  ForestRewardModelConfigSchema,
  LearnedRewardWrapper,
  ORCHESTRATOR_DEFAULTS,
  PPO_DEFAULTS,
  REINFORCE_DEFAULTS,
  RewardLearner,
  TfjsRewardModel,
  TfjsRewardModelConfigSchema,
  REWARD_FEATURE_DIM,
  agentRegistrations,
  configDefaults,
  createAgent,
  createRewardModel,
  describeConfig,
  envKwargsSchema,
  listEnvs,
  make,
  parseSpec,
  parseLoopSpec,
  Box,
  Discrete,
} from '../../src/index.js';
import type { z } from 'zod';

/** A typo a user makes: the first letter's case flipped (and, for longer keys, one letter dropped). */
function typos(key: string): string[] {
  const flipped = (key[0] === key[0].toLowerCase() ? key[0].toUpperCase() : key[0].toLowerCase()) + key.slice(1);
  return key.length >= 6 ? [flipped, key.slice(0, 3) + key.slice(4)] : [flipped];
}

const spaces = { observationSpace: new Box(0, 1, [4]), actionSpace: new Discrete(3), seed: 0 };
const contextFor = (name: string) => (['round_robin', 'greedy', 'oracle', 'random'].includes(name) ? { ...spaces, env: make('Orchestrator-v0') } : spaces);

describe('agents', () => {
  const registrations = agentRegistrations();

  it('every registered agent declares a documented config schema', () => {
    for (const agent of registrations) {
      expect(agent.configSchema, agent.name).toBeDefined();
      const docs = describeConfig(agent.configSchema!);
      for (const field of docs) expect(field.description, `${agent.name}.${field.field}`).not.toBe('');
      // The docs' defaults are the defaults the agent resolves.
      const defaults = configDefaults(agent.configSchema!) as Record<string, unknown>;
      for (const field of docs) if ('default' in field) expect(defaults[field.field], `${agent.name}.${field.field}`).toEqual(field.default);
    }
  });

  it.each(agentRegistrations().map((a) => a.name))('%s refuses a typo with did-you-mean', (name) => {
    const schema = registrations.find((a) => a.name === name)!.configSchema!;
    const keys = describeConfig(schema).map((f) => f.field);
    expect(keys.length, name).toBeGreaterThan(0);
    for (const key of keys) {
      for (const typo of typos(key)) {
        if (keys.includes(typo)) continue;
        expect(() => createAgent(name, { [typo]: 1 }, contextFor(name)), `${name}: ${typo}`).toThrow(
          new RegExp(`Expected one of the ${name} options, but got "${typo}" at ${name}\\.${typo}\\. Did you mean ${key}\\?`),
        );
      }
    }
  });

  it.each([
    ['ppo', { learningRate: -1 }, 'Expected ppo.learningRate to be a number > 0, but got -1.'],
    ['a2c', { gaeLambda: 2 }, 'Expected a2c.gaeLambda to be a number in [0, 1], but got 2.'],
    ['reinforce', { maxGradNorm: 0 }, 'Expected reinforce.maxGradNorm to be a number > 0 or null, but got 0.'],
    ['dqn', { bufferSize: 0.5 }, 'Expected dqn.bufferSize to be an integer >= 1, but got 0.5.'],
    ['epsilon-greedy', { stepSize: 2 }, 'Expected epsilon-greedy.stepSize to be "average" or a number in (0, 1], but got 2.'],
    ['ucb1', { c: -0.5 }, 'Expected ucb1.c to be a number >= 0, but got -0.5.'],
    ['thompson', { noiseStd: 0 }, 'Expected thompson.noiseStd to be a number > 0, but got 0.'],
    ['linucb', { reinvertEvery: 1.5 }, 'Expected linucb.reinvertEvery to be an integer >= 0, but got 1.5.'],
    ['random', { seed: 'x' }, 'Expected random.seed to be a number, but got "x".'],
    ['greedy', { coordinateFrom: 0 }, 'Expected greedy.coordinateFrom to be an integer in [1, 6], but got 0.'],
    ['oracle', { capacityCharge: -1 }, 'Expected oracle.capacityCharge to be a number >= 0, but got -1.'],
    ['ppo', { logFormats: ['csv'] }, 'Expected ppo.logDir to be set for the jsonl/csv log formats, but got null.'],
  ])('%s names the field, its range and the value', (name, config, message) => {
    expect(() => createAgent(name as string, config as Record<string, unknown>, contextFor(name as string))).toThrow(message as string);
  });

  it('defaults are the values they were before the schemas, in the same order (saved configs do not move; engine came with the wasm-simd engine)', () => {
    const layers = [64, 64];
    const log = { backend: 'auto', engine: 'wasm-simd', logFormats: [], logDir: null };
    expect(JSON.stringify(PPO_DEFAULTS)).toBe(
      JSON.stringify({
        numSteps: 2048, batchSize: 64, numEpochs: 10, learningRate: 3e-4, lrSchedule: 'constant', gamma: 0.99, gaeLambda: 0.95, clipRange: 0.2,
        clipRangeSchedule: 'constant', clipRangeVf: null, normalizeAdvantage: true, entCoef: 0, vfCoef: 0.5, maxGradNorm: 0.5, targetKl: null,
        piLayers: layers, vfLayers: layers, activation: 'tanh', init: 'orthogonal', adamEps: 1e-5, normalizeObs: false, normalizeReward: false, ...log,
      }),
    );
    expect(JSON.stringify(A2C_DEFAULTS)).toBe(
      JSON.stringify({
        numSteps: 5, learningRate: 7e-4, lrSchedule: 'constant', gamma: 0.99, gaeLambda: 1, entCoef: 0, vfCoef: 0.5, maxGradNorm: 0.5,
        normalizeAdvantage: false, optimizer: 'rmsprop', optimizerEps: 1e-5, piLayers: layers, vfLayers: layers, activation: 'tanh', init: 'orthogonal',
        normalizeObs: false, normalizeReward: false, logInterval: 100, ...log,
      }),
    );
    expect(JSON.stringify(REINFORCE_DEFAULTS)).toBe(
      JSON.stringify({
        episodesPerUpdate: 8, learningRate: 1e-3, gamma: 0.99, vfCoef: 0.5, entCoef: 0, normalizeAdvantage: true, maxGradNorm: 0.5, piLayers: layers,
        vfLayers: layers, activation: 'tanh', init: 'orthogonal', normalizeObs: false, logInterval: 1, ...log,
      }),
    );
    expect(JSON.stringify(DQN_DEFAULTS)).toBe(
      JSON.stringify({
        learningRate: 1e-4, bufferSize: 1_000_000, learningStarts: 100, batchSize: 32, gamma: 0.99, trainFreq: 4, gradientSteps: 1,
        targetUpdateInterval: 10_000, explorationFraction: 0.1, explorationInitialEps: 1, explorationFinalEps: 0.05, doubleDqn: false, maxGradNorm: 10,
        layers, activation: 'relu', init: 'torch', saveReplayBuffer: true, logInterval: 1000, ...log,
      }),
    );
    const bandit = (name: string) => JSON.stringify((createAgent(name, {}, spaces) as unknown as { resolvedConfig: object }).resolvedConfig);
    expect(bandit('epsilon-greedy')).toBe(JSON.stringify({ seed: 0, logInterval: 1000, epsilon: 0.1, stepSize: 'average', initialValue: 0 }));
    expect(bandit('ucb1')).toBe(JSON.stringify({ seed: 0, logInterval: 1000, c: 2 }));
    expect(bandit('thompson')).toBe(JSON.stringify({ seed: 0, logInterval: 1000, priorMean: 0, priorStd: 1, noiseStd: 1 }));
    expect(bandit('linucb')).toBe(JSON.stringify({ seed: 0, logInterval: 1000, alpha: 1, regularization: 1, fitIntercept: true, reinvertEvery: 1000 }));
  });
});

describe('reward models', () => {
  it('refuse a typo with did-you-mean, each kind and the learner around them', () => {
    expect(() => new TfjsRewardModel({ learningrate: 1e-3 } as never)).toThrow(/but got "learningrate" at tfjs-mlp\.learningrate\. Did you mean learningRate\?/);
    expect(() => new ForestRewardModel({ nEstimator: 3 } as never)).toThrow(/but got "nEstimator" at random-forest\.nEstimator\. Did you mean nEstimators\?/);
    expect(() => createRewardModel({ kind: 'ensemble', members: [{ kind: 'tfjs-mlp', epoch: 2 }] } as never)).toThrow(
      /but got "epoch" at spec\.members\[0\]\.epoch\. Did you mean epochs\?/,
    );
    expect(() => createRewardModel({ kind: 'ensemble', members: [{ kind: 'tfjs-mlp' }], weight: [1] } as never)).toThrow(/Did you mean weights\?/);
    const model = new TfjsRewardModel({ ensembleSize: 1, hiddenSizes: [4] });
    expect(() => new RewardLearner({ model, refitevery: 10 } as never)).toThrow(/but got "refitevery" at RewardLearner\.refitevery\. Did you mean refitEvery\?/);
    expect(() => new LearnedRewardWrapper(make('Orchestrator-v0'), { model, satisfactionweight: 2 } as never)).toThrow(/Did you mean satisfactionWeight\?/);
    model.dispose();
  });

  it('name the field, its range and the value', () => {
    expect(() => new TfjsRewardModel({ learningRate: -1 })).toThrow('Expected tfjs-mlp.learningRate to be a number > 0, but got -1.');
    expect(() => new ForestRewardModel({ maxFeatures: 0 })).toThrow('Expected random-forest.maxFeatures to be a number in (0, 1], but got 0.');
    expect(() => createRewardModel({ kind: 'ensemble', members: [{ kind: 'tfjs-mlp' }], weights: [1, 2] })).toThrow('Expected spec.weights to hold one weight per member (1), but got [1,2].');
    const model = new TfjsRewardModel({ ensembleSize: 1, hiddenSizes: [4] });
    expect(() => new RewardLearner({ model, heldOutFraction: 1 })).toThrow('Expected RewardLearner.heldOutFraction to be a number in [0, 1), but got 1.');
    expect(() => new RewardLearner({ model: {} as never })).toThrow('Expected RewardLearner.model to be a RewardModel, but got {}.');
    model.dispose();
  });

  it('defaults are the values they were before the schemas, in the same order (saved reward-model.json does not move; engine came with wasm-simd)', () => {
    expect(JSON.stringify(configDefaults(TfjsRewardModelConfigSchema))).toBe(
      JSON.stringify({
        hiddenSizes: [64, 64], activation: 'relu', ensembleSize: 5, bootstrap: true, learningRate: 3e-3, batchSize: 256, epochs: 20, updateEpochs: 5,
        weightDecay: 'auto', preferenceWeight: 0, initialBeta: 4, seed: 0, engine: 'wasm-simd', dim: REWARD_FEATURE_DIM,
      }),
    );
    expect(JSON.stringify(configDefaults(ForestRewardModelConfigSchema))).toBe(
      JSON.stringify({ nEstimators: 30, maxFeatures: 0.7, maxDepth: 10, minNumSamples: 5, maxSamplesPerTree: 1500, featureLevels: 16, seed: 0, dim: REWARD_FEATURE_DIM }),
    );
  });
});

describe('env kwargs', () => {
  it('every registered env declares a documented kwargs schema', () => {
    for (const id of listEnvs()) {
      const schema = envKwargsSchema(id);
      if (!schema) continue; // envs registered by other tests
      for (const field of describeConfig(schema)) expect(field.description, `${id}.${field.field}`).not.toBe('');
    }
    for (const id of ['CartPole-v1', 'Bandit-v0', 'Orchestrator-v0', 'Orchestrator-drift-v0', 'ContextualRouting-v0']) expect(envKwargsSchema(id), id).toBeDefined();
  });

  it.each([
    ['Orchestrator-v0', 'arrivalrate', 'arrivalRate'],
    ['Orchestrator-drift-v0', 'skillDriftRat', 'skillDriftRate'],
    ['ContextualRouting-v0', 'costweight', 'costWeight'],
    ['Bandit-v0', 'Arms', 'arms'],
  ])('%s refuses a typo with did-you-mean', (id, typo, key) => {
    expect(() => make(id, { kwargs: { [typo]: 1 } })).toThrow(new RegExp(`but got "${typo}" at ${id}\\.${typo}\\. Did you mean ${key}\\?`));
  });

  it('name the field, its range (with the unit in the docs) and the value', () => {
    expect(() => make('Orchestrator-v0', { kwargs: { arrivalRate: 9 } })).toThrow('Expected Orchestrator-v0.arrivalRate to be a number in [0, 5], but got 9.');
    expect(() => make('Orchestrator-v0', { kwargs: { burstLength: [6, 3] } })).toThrow('Expected Orchestrator-v0.burstLength to be [min, max] with min <= max, but got [6,3].');
    expect(() => make('ContextualRouting-v0', { kwargs: { costWeight: -1 } })).toThrow('Expected ContextualRouting-v0.costWeight to be a number >= 0, but got -1.');
    const arrival = describeConfig(envKwargsSchema('Orchestrator-v0')!).find((f) => f.field === 'arrivalRate')!;
    expect(arrival).toMatchObject({ type: 'number in [0, 5]', default: 0.46 });
    expect(arrival.description).toMatch(/tasks\/tick/);
    const drift = describeConfig(envKwargsSchema('Orchestrator-drift-v0')!).find((f) => f.field === 'skillDriftRate')!;
    expect(drift.default).toBe(0.03);
  });

  it('Orchestrator defaults are the values they were before the schema, in the same order', () => {
    expect(JSON.stringify(ORCHESTRATOR_DEFAULTS)).toBe(
      JSON.stringify({
        workers: ['react', 'chain_of_thought', 'reflection', 'evaluator', 'tree_of_thought', 'retrieval_augmented'], poolSeed: 0, worldSeed: null,
        pluginMix: { customer_support: 1, sales_research: 1, benchmark: 1 }, arrivalRate: 0.46, burstProbability: 0.02, burstMultiplier: 2.2,
        burstLength: [4, 12], dayLength: 200, queueCapacity: 48, scanDepth: 4, workerSpread: 0.8, domainSpread: 1.2, skillSpread: 0.7,
        affinityWeight: 0.9, complexityPenalty: 1.5, durationScale: 1, reviewGain: 0.8, silentFailureRate: 0.5, degradationRate: 0.006,
        degradationFailure: 0.45, degradationLatency: 1.0, degradationSilent: 0.3, abandonAfter: 2, skillDriftRate: 0, skillDriftScale: 0.8,
        statsDecay: 1, feedbackRate: 0.3, preferenceRate: 0.1, moodNoise: 0.02, qualitySpread: 0.1, catNoise: 1.0, ratingNoise: 0.6,
        preferenceTemperature: 8, rewardMode: 'gold', rewardWeights: { success: 1, sla: 0.5, cost: 0.04, satisfaction: 1 }, disabledVerbs: [],
        recordTasks: true,
      }),
    );
  });
});

describe('experiment specs', () => {
  const minimal = { name: 'tiny', env: { id: 'Orchestrator-v0' }, agent: { name: 'ppo' }, totalSteps: 1000 };

  it('check the agent, env and reward sections with their own schemas and paths, before anything runs', () => {
    expect(() => parseSpec({ ...minimal, agent: { name: 'ppo', learningrate: 1e-3 } })).toThrow(/but got "learningrate" at agent\.learningrate\. Did you mean learningRate\?/);
    expect(() => parseSpec({ ...minimal, agent: { name: 'dqn', gamma: 3 } })).toThrow(/Expected agent\.gamma to be a number in \[0, 1\], but got 3\./);
    expect(() => parseSpec({ ...minimal, env: { id: 'Orchestrator-v0', kwargs: { presett: 'hard' } } })).toThrow(/but got "presett" at env\.kwargs\.presett\. Did you mean preset\?/);
    expect(() => parseSpec({ ...minimal, reward: { mode: 'learned', model: { refitevery: 5 } } })).toThrow(/but got "refitevery" at reward\.model\.refitevery\. Did you mean refitEvery\?/);
    expect(() => parseSpec({ ...minimal, reward: { mode: 'learned', model: { kind: 'ensemble', members: [{ kind: 'random-forest', maxdepth: 3 }] } } })).toThrow(
      /at reward\.model\.members\[0\]\.maxdepth\. Did you mean maxDepth\?/,
    );
    expect(() => parseSpec({ ...minimal, totalsteps: 5 })).toThrow(/but got "totalsteps" at totalsteps\. Did you mean totalSteps\?/);
  });

  it('leave the sections as written (run ids hash the spec as written)', () => {
    const spec = parseSpec({ ...minimal, agent: { name: 'ppo', numSteps: 64 }, reward: { mode: 'learned', model: { refitEvery: 5 } } });
    expect(spec.agent).toEqual({ name: 'ppo', numSteps: 64 });
    expect(spec.reward.model).toEqual({ refitEvery: 5 });
    expect(spec.env.kwargs).toEqual({});
  });

  it('the shipped specs are valid', () => {
    const dir = new URL('../../experiments/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    // Learning-loop specs (loop-*.json) have their own schema (src/loop/loop-spec.ts).
    for (const file of files) {
      const parse = file.startsWith('loop-') ? parseLoopSpec : parseSpec;
      expect(() => parse(JSON.parse(readFileSync(new URL(file, dir), 'utf8')), file)).not.toThrow();
    }
  });
});

// Keep the zod import type-only: the schemas come from the package barrel like a user's would.
export type { z };
