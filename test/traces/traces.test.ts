/**
 * Task traces and pattern analysis (issue 15 items 1-2, partly): a recorded episode is the same episode and
 * replays to the same trace; every task appears once with a consistent life; files round-trip (gzip too)
 * and refuse malformed lines by number and oversize by name; on a pinned company the analyzer's significant
 * best architecture per category matches the hidden truth; a planted failure pattern is found.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../envs/index.js';
import { make } from '../../src/core/registry.js';
import type { Env } from '../../src/core/env.js';
import { DataError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { createBaseline } from '../../envs/orchestrator/baselines.js';
import { OrchestratorEnv } from '../../envs/orchestrator/env.js';
import { readTraces, TraceRecorder, writeTraces } from '../../src/traces/trace-recorder.js';
import { analyzeTraces } from '../../src/traces/analyze-traces.js';
import type { PatternRouter } from '../../src/traces/pattern-router.js';
import { TRACE_FORMAT, TRACE_VERSION, type TaskTrace } from '../../src/traces/trace-schema.js';

/** Plays `episodes` greedy workdays from `seed` on; returns the recorder, the actions and the returns. */
function play(env: Env<Float32Array, number>, episodes: number, seed: number, actions?: number[][]) {
  const policy = createBaseline('greedy', env);
  const taken: number[][] = [];
  const returns: number[] = [];
  for (let e = 0; e < episodes; e++) {
    let { obs, info } = env.reset({ seed: seed + e });
    const list: number[] = [];
    let total = 0;
    for (let t = 0; ; t++) {
      const action = actions ? actions[e][t] : policy.act(obs, { mask: info.actionMask as Uint8Array });
      list.push(action);
      const step = env.step(action);
      total += step.reward;
      obs = step.obs;
      info = step.info;
      if (step.terminated || step.truncated) break;
    }
    taken.push(list);
    returns.push(total);
  }
  return { taken, returns };
}

/** Every task's life is consistent: see the checks. */
function checkLives(traces: readonly TaskTrace[]): void {
  for (const t of traces) {
    expect(t.format).toBe(TRACE_FORMAT);
    if (t.outcome === 'unfinished') {
      expect([t.finishTick, t.slaMet, t.trueSatisfaction, t.feedback]).toEqual([null, null, null, null]);
      expect(t.latency).toBeGreaterThanOrEqual(0);
    } else {
      expect(t.finishTick).toBeGreaterThanOrEqual(t.arrivalTick);
      expect(t.latency).toBe(t.finishTick! - t.arrivalTick);
    }
    const end = t.finishTick ?? t.arrivalTick + t.latency + 1;
    if (t.outcome === 'abandoned' || t.outcome === 'turned_away') expect(t.architecture === '' || t.retries >= 0).toBe(true);
    else if (t.outcome !== 'unfinished') expect(t.worker).toBeGreaterThanOrEqual(0);
    // Decisions: in time order, none before arrival or after the finish; a dispatch before any finish of
    // worked tasks, the last dispatch on the worker that finished it, one requeue per retry.
    const ticks = t.decisions.map((d) => d.tick);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    for (const d of t.decisions) {
      expect(d.tick).toBeGreaterThanOrEqual(t.arrivalTick);
      expect(d.tick).toBeLessThan(end);
    }
    const starts = t.decisions.filter((d) => d.type === 'dispatched' || d.type === 'coordinated');
    if (t.outcome === 'succeeded' || t.outcome === 'failed' || t.outcome === 'stalled') {
      expect(starts.length).toBeGreaterThanOrEqual(1);
      expect(starts.at(-1)!.worker).toBe(t.worker);
      expect(starts.at(-1)!.type === 'coordinated').toBe(t.coordinated);
    }
    if (t.outcome === 'unfinished' && t.worker >= 0) expect(starts.at(-1)!.worker).toBe(t.worker);
    expect(t.decisions.filter((d) => d.type === 'requeued').length).toBe(t.retries);
    expect(t.decisions.filter((d) => d.type === 'scanned').length).toBeLessThanOrEqual(1);
    if (t.outcome === 'turned_away') expect([t.latency, t.decisions.length, t.cost]).toEqual([0, 0, 0]);
    if (starts.length > 0) expect(t.cost).toBeGreaterThan(0);
  }
}

/** Plays a uniformly random allowed action for `steps` ticks (it scans, coordinates and requeues too). */
function playRandom(env: Env<Float32Array, number>, seed: number, steps: number): void {
  const rng = new Rng(`random-play/${seed}`);
  let { info } = env.reset({ seed });
  for (let t = 0; t < steps; t++) {
    const mask = info.actionMask as Uint8Array;
    let action = rng.integer(0, mask.length);
    while (!mask[action]) action = (action + 1) % mask.length;
    const step = env.step(action);
    info = step.info;
    if (step.terminated || step.truncated) info = env.reset().info;
  }
  env.close();
}

describe('TraceRecorder', () => {
  it('records every task once with a consistent life, changes nothing, and replays to the same trace', () => {
    const recorder = new TraceRecorder(make<Float32Array, number>('Orchestrator-v0'));
    const { taken, returns } = play(recorder, 3, 100);
    const traces = recorder.traces;
    expect(traces.length).toBeGreaterThan(100);
    for (let e = 0; e < 3; e++) {
      // Every task that arrived has exactly one record: ids 0..n-1 (the env numbers tasks per episode).
      const ids = traces.filter((t) => t.episode === e).map((t) => t.taskId);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids.map((_, i) => i));
    }
    checkLives(traces);
    expect(traces.some((t) => t.decisions.some((d) => d.type === 'requeued'))).toBe(true);
    // Task costs add up to the episode's cost, less the work still running when the day was cut off.
    const inner = recorder.unwrapped as OrchestratorEnv;
    const lastCost = traces.filter((t) => t.episode === 2).reduce((a, t) => a + t.cost, 0);
    expect(lastCost).toBeLessThanOrEqual(inner.episodeTotals().cost + 1e-6);
    expect(lastCost).toBeGreaterThan(0.8 * inner.episodeTotals().cost);
    // And each task's cost is its attempts' worker cost x units x ticks in work, read off its decisions.
    const { cost } = inner.hidden().company;
    for (const t of traces.filter((x) => x.episode === 2)) {
      let expected = 0;
      t.decisions.forEach((d, i) => {
        if (d.type !== 'dispatched' && d.type !== 'coordinated') return;
        const end = t.decisions.slice(i + 1).find((x) => x.type === 'requeued')?.tick ?? t.finishTick ?? t.arrivalTick + t.latency;
        expected += cost[d.worker] * (d.type === 'coordinated' ? 2 : 1) * (end - d.tick);
      });
      expect(t.cost).toBeCloseTo(expected, 9);
    }
    expect(traces.some((t) => t.arrivedInBurst)).toBe(true);
    expect(traces.some((t) => t.feedback !== null)).toBe(true);
    // The same episodes without the recorder: identical returns (recording draws nothing).
    expect(play(make<Float32Array, number>('Orchestrator-v0'), 3, 100, taken).returns).toEqual(returns);
    // Replaying the seeds and actions gives the same trace.
    const again = new TraceRecorder(make<Float32Array, number>('Orchestrator-v0'));
    play(again, 3, 100, taken);
    expect(again.traces).toEqual(traces);
  });

  it('records scans, coordination and requeues of a random policy with consistent lives; a full queue turns tasks away', () => {
    const recorder = new TraceRecorder(make<Float32Array, number>('Orchestrator-v0', { kwargs: { preset: 'hard', queueCapacity: 4 } }));
    playRandom(recorder, 5, 1000);
    checkLives(recorder.traces);
    const types = new Set(recorder.traces.flatMap((t) => t.decisions.map((d) => d.type)));
    expect([...types].sort()).toEqual(['coordinated', 'dispatched', 'requeued', 'scanned']);
    expect(recorder.traces.some((t) => t.outcome === 'turned_away')).toBe(true);
  });

  it('writes and reads JSONL and gzip; refuses a malformed line by number and an oversize file by name', () => {
    const recorder = new TraceRecorder(make<Float32Array, number>('Orchestrator-v0'));
    play(recorder, 1, 7);
    const dir = mkdtempSync(join(tmpdir(), 'loopgym-traces-'));
    for (const name of ['t.jsonl', 't.jsonl.gz']) {
      writeTraces(join(dir, name), recorder.traces);
      expect(readTraces(join(dir, name))).toEqual(recorder.traces);
    }
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify(recorder.traces[0])}\n{"format": "${TRACE_FORMAT}", "version": ${TRACE_VERSION}}\n`);
    expect(() => readTraces(bad)).toThrow(/bad\.jsonl:2: Expected a loopgym\.task-trace v2 record, but episode: /);
    writeFileSync(bad, `{"format": "${TRACE_FORMAT}", "version": 1}\n`);
    expect(() => readTraces(bad)).toThrow(/bad\.jsonl:1: Expected a loopgym\.task-trace record of version 2, but found version 1/);
    expect(() => writeTraces(join(dir, 'big.jsonl'), recorder.traces, 1000)).toThrow(DataError);
    expect(() => writeTraces(join(dir, 'big.jsonl'), recorder.traces, 1000)).toThrow(/nothing was written/);
  });
});

describe('analyzeTraces', () => {
  it("on a pinned company, the significant best architecture per category is the hidden best worker's in >= 90%", () => {
    const env = make<Float32Array, number>('Orchestrator-v0', { kwargs: { worldSeed: 11 } });
    const recorder = new TraceRecorder(env);
    play(recorder, 50, 1000);
    const analysis = analyzeTraces(recorder.traces);
    const inner = env.unwrapped as OrchestratorEnv;
    const company = inner.hidden().company;
    const categories = inner.categories;
    const checked = analysis.bestWorkers.filter((b) => b.band === 'all' && b.significant);
    expect(checked.length).toBeGreaterThanOrEqual(3);
    let agree = 0;
    for (const b of checked) {
      const c = categories.indexOf(b.category);
      let best = 0;
      for (let w = 1; w < company.numWorkers; w++) if (company.logit[w * company.numCategories + c] > company.logit[best * company.numCategories + c]) best = w;
      if (inner.workerArchitectures[best] === b.best.architecture) agree++;
    }
    expect(agree / checked.length).toBeGreaterThanOrEqual(0.9);
  });

  it('finds a planted failure pattern, and an opportunity where routing ignores the best worker', () => {
    const rng = new Rng('planted');
    const traces: TaskTrace[] = [];
    for (let i = 0; i < 1000; i++) {
      const category = rng.choice(['refund', 'billing', 'math']);
      const architecture = rng.bernoulli(0.8) ? 'react' : 'reflection';
      const planted = category === 'math' && architecture === 'react';
      const success = rng.bernoulli(planted ? 0.1 : architecture === 'reflection' ? 0.9 : 0.75);
      traces.push({
        format: TRACE_FORMAT, version: TRACE_VERSION, episode: Math.floor(i / 100), seed: null, taskId: i % 100, plugin: 'p', category,
        complexity: 1 + (i % 5), priority: 1, slaTicks: 20, features: [0, 0, 0, 0, 0, 0], arrivalTick: i % 200, finishTick: (i % 200) + 5, latency: 5,
        arrivedInBurst: i % 7 === 0, cost: 10, decisions: [{ tick: i % 200, type: 'scanned', worker: -1 }, { tick: (i % 200) + 1, type: 'dispatched', worker: architecture === 'react' ? 0 : 1 }],
        worker: architecture === 'react' ? 0 : 1, architecture, coordinated: false, retries: 0, outcome: success ? 'succeeded' : 'failed', slaMet: true,
        trueSatisfaction: success ? 0.8 : 0.1, feedback: null, preferences: [],
      });
    }
    const analysis = analyzeTraces(traces);
    expect(analysis.failurePatterns[0].conditions).toEqual({ category: 'math', architecture: 'react' });
    expect(analysis.failurePatterns[0].lift).toBeGreaterThan(2);
    const math = analysis.opportunities.find((o) => o.category === 'math');
    expect(math?.bestArchitecture).toBe('reflection');
    expect(math!.gainLow).toBeGreaterThan(0);
    expect(() => analyzeTraces([])).toThrow(DataError);
    expect(analysis.bursts.map((b) => b.arrivedInBurst)).toEqual([true, false]);
    expect(analysis.bursts[0].trials + analysis.bursts[1].trials).toBe(1000);
  });

  it('finds a planted failure sequence (a requeue before the final dispatch) and a burst effect', () => {
    const rng = new Rng('planted-sequence');
    const traces: TaskTrace[] = [];
    for (let i = 0; i < 1000; i++) {
      const requeued = rng.bernoulli(0.2);
      const inBurst = rng.bernoulli(0.25);
      const success = rng.bernoulli(requeued ? 0.15 : 0.85);
      const arrival = i % 200;
      const decisions: TaskTrace['decisions'] = [{ tick: arrival, type: 'dispatched', worker: 0 }];
      if (requeued) decisions.push({ tick: arrival + 2, type: 'requeued', worker: 0 }, { tick: arrival + 3, type: 'dispatched', worker: 1 });
      traces.push({
        format: TRACE_FORMAT, version: TRACE_VERSION, episode: Math.floor(i / 100), seed: null, taskId: i % 100, plugin: 'p', category: rng.choice(['refund', 'billing']),
        complexity: 3, priority: 1, slaTicks: 20, features: [0, 0, 0, 0, 0, 0], arrivalTick: arrival, finishTick: arrival + (inBurst ? 15 : 6), latency: inBurst ? 15 : 6,
        arrivedInBurst: inBurst, cost: 10, decisions, worker: requeued ? 1 : 0, architecture: requeued ? 'reflection' : 'react', coordinated: false, retries: requeued ? 1 : 0,
        outcome: success ? 'succeeded' : 'failed', slaMet: true, trueSatisfaction: 0.5, feedback: null, preferences: [],
      });
    }
    const analysis = analyzeTraces(traces);
    const sequence = analysis.failurePatterns.find((p) => Object.keys(p.conditions).length === 1 && p.conditions.decisions === 'dispatched>requeued>dispatched');
    expect(sequence?.lift).toBeGreaterThan(3);
    const [burst, calm] = analysis.bursts;
    expect(burst.meanLatency).toBe(15);
    expect(calm.meanLatency).toBe(6);
  });
});

describe('loopgym analyze', () => {
  it('writes report.md and report.json from a trace file; a malformed file exits 1 with its line', () => {
    const recorder = new TraceRecorder(make<Float32Array, number>('Orchestrator-v0'));
    play(recorder, 2, 3);
    const dir = mkdtempSync(join(tmpdir(), 'loopgym-analyze-'));
    writeTraces(join(dir, 't.jsonl.gz'), recorder.traces);
    const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
    const ok = spawnSync(process.execPath, [bin, 'analyze', join(dir, 't.jsonl.gz'), '--out', join(dir, 'report'), '--json'], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    const analysis = JSON.parse(ok.stdout).analysis;
    expect(analysis.tasks + analysis.unfinished).toBe(recorder.traces.length);
    expect(analysis.unfinished).toBe(recorder.traces.filter((t) => t.outcome === 'unfinished').length);
    expect(analysis.unfinished).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'report', 'report.md'), 'utf8')).toMatch(/## Best worker per category/);
    writeFileSync(join(dir, 'bad.jsonl'), 'not json\n');
    const bad = spawnSync(process.execPath, [bin, 'analyze', join(dir, 'bad.jsonl')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/loopgym: DataError: .*bad\.jsonl:1: Expected a JSON task trace/);
  });
});

describe('pattern_router', () => {
  it('learns a routing table from traced greedy workdays, routes by it, beats random, and saves/loads the table', async () => {
    await import('../../src/experiments/builtin-agents.js');
    const { createAgent } = await import('../../agents/index.js');
    const { evaluateEpisodes } = await import('../../src/experiments/evaluate.js');
    const env = make<Float32Array, number>('Orchestrator-v0');
    const context = { observationSpace: env.observationSpace, actionSpace: env.actionSpace, env };
    const router = createAgent('pattern_router', {}, context) as unknown as PatternRouter;
    await router.learn({ env, totalSteps: 10_000 });
    const categories = Object.keys(router.table);
    expect(categories.length).toBeGreaterThanOrEqual(8);
    for (const ranked of Object.values(router.table)) expect(new Set(ranked).size).toBe(ranked.length);
    const random = createAgent('random', {}, context);
    const options = { episodes: 8, seedBase: 900, deterministic: true };
    const mean = (xs: { return: number }[]) => xs.reduce((a, b) => a + b.return, 0) / xs.length;
    expect(mean(evaluateEpisodes(router, env, options))).toBeGreaterThan(mean(evaluateEpisodes(random, env, options)));
    const dir = mkdtempSync(join(tmpdir(), 'loopgym-router-'));
    await router.save(dir);
    const loaded = createAgent('pattern_router', {}, context) as unknown as PatternRouter;
    await loaded.load(dir);
    expect(loaded.table).toEqual(router.table);
    expect(mean(evaluateEpisodes(loaded, env, options))).toBe(mean(evaluateEpisodes(router, env, options)));
  });
});

describe('logging.traces in a spec', () => {
  it("records the final evaluation's tasks into <run>/traces.jsonl.gz without changing the run's numbers", async () => {
    const { parseSpec } = await import('../../src/experiments/spec.js');
    const { runExperiment } = await import('../../src/experiments/runner.js');
    const base = { env: { id: 'Orchestrator-v0', numEnvs: 2 }, agent: { name: 'ppo', numSteps: 64, batchSize: 64, numEpochs: 1 }, totalSteps: 256, evaluation: { episodes: 2 } };
    const out = mkdtempSync(join(tmpdir(), 'loopgym-spec-traces-'));
    const plain = (await runExperiment(parseSpec({ ...base, name: 'plain' }), { outDir: out })).runs[0];
    const traced = (await runExperiment(parseSpec({ ...base, name: 'traced', logging: { traces: true } }), { outDir: out })).runs[0];
    expect(traced.summary.eval).toEqual(plain.summary.eval);
    const traces = readTraces(join(traced.dir, 'traces.jsonl.gz'));
    expect(new Set(traces.map((t) => t.episode))).toEqual(new Set([0, 1]));
    expect(() => parseSpec({ ...base, name: 'c', env: { id: 'CartPole-v1' }, logging: { traces: true } })).toThrow(/logging\.traces: Expected an env whose tasks can be traced/);
  }, 60_000);
});
