/**
 * loopgym's public API, layer by layer (see DESIGN.md). Importing it registers the built-in envs.
 */
import '../envs/index.js';
import './experiments/builtin-agents.js';

// The gym API: Env, spaces, wrappers, vector envs, registry, Rng, checkEnv, errors, the Agent contract.
export * from './core/index.js';

// Task-data plugins and the environments.
export * from './plugins/index.js';
export { CartPoleEnv, CartPoleVectorEnv, CartPoleKwargsSchema, cartPoleVectorEntryPoint, CARTPOLE_X_THRESHOLD, CARTPOLE_THETA_THRESHOLD } from '../envs/cartpole.js';
export { BanditEnv, BanditKwargsSchema, type BanditConfig, type BanditConfigInput } from '../envs/bandit.js';
export * from '../envs/orchestrator/index.js';

// TensorFlow.js glue and the learning agents.
export * from './nn/index.js';
export * from '../agents/index.js';
export * from '../agents/common/index.js';
export * from '../agents/bandits/index.js';

// Reward learning.
export * from './reward/index.js';

// Experiments: specs, runner, sweeps, results, statistics, reports.
export { parseSpec, loadSpec, applyOverride, ExperimentSpecSchema, type ExperimentSpec, type ExperimentSpecInput } from './experiments/spec.js';
export { runExperiment, runSweep, runPlan, evaluateRun, validatePlans, type RunSummary, type RunOutcome, type ExperimentResult, type RunOptions, type SweepOptions, type ProgressEvent, type EvaluationSummary } from './experiments/runner.js';
export { expandRuns, parseShard, type RunPlan, type Shard } from './experiments/sweep.js';
export { createBaselineAgent } from './experiments/builtin-agents.js';
export { inspectRun, listRunDirs, RunWriter, runId, configHash, type RunStatus } from './experiments/store.js';
export { collectProvenance, type Provenance } from './experiments/provenance.js';
export { loadResults, aggregate, aggregateResults, readRun, type AggregateReport, type AggregateOptions, type LoadedResults } from './experiments/aggregate.js';
export { writeReport, renderTable, type ReportOptions, type ReportResult, type ReportFormat } from './experiments/report.js';
export { TensorBoardWriter, readScalars, readEventFile, type ScalarPoint, type TensorBoardWriterOptions } from './experiments/tensorboard/index.js';
export { compareRuns, renderComparison, type RunComparison, type CompareOptions } from './experiments/compare.js';

// Learning loops: the loop runner and the learning-curve analysis of any KPI history.
export * from './loop/index.js';
// Task traces and their pattern analysis.
export * from './traces/index.js';
// Offline-RL datasets (Minari layout).
export * from './datasets/index.js';

// Export to a production orchestrator.
export * from './export/index.js';
