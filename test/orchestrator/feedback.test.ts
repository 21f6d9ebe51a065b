import { describe, expect, it } from 'vitest';
import { make } from '../../src/core/index.js';
import '../../envs/orchestrator/register.js';
import { createBaselineAgent } from '../../src/experiments/builtin-agents.js';
import type { FeedbackEvent, TaskOutcome } from '../../envs/orchestrator/feedback.js';
import { TASK_OUTCOME_FEATURE_DIM } from '../../envs/orchestrator/feedback.js';
import { pearson } from '../../src/core/stats.js';

/** Plays greedy and random episodes and pairs every score event with the task's hidden satisfaction. */
function collect(episodes: number, kwargs: Record<string, unknown> = {}) {
  const env = make<Float32Array, number>('Orchestrator-v0', { kwargs });
  const truth = new Map<number, number>();
  const scores: { cat: number; satisfaction: number; ratings: Record<string, number> }[] = [];
  const preferences: { agrees: boolean }[] = [];
  let finished = 0;
  for (const name of ['greedy', 'random'] as const) {
    const agent = createBaselineAgent(name, env, { seed: 3 });
    for (let e = 0; e < episodes; e++) {
      truth.clear();
      let { obs, info } = env.reset({ seed: 500 + e });
      for (;;) {
        const step = env.step(agent.act(obs, { mask: info.actionMask as Uint8Array }));
        ({ obs, info } = step);
        for (const r of info.finished as TaskOutcome[]) {
          truth.set(r.taskId, r.trueSatisfaction);
          finished++;
        }
        for (const event of info.feedback as FeedbackEvent[]) {
          if (event.type === 'score') {
            expect(event.features).toHaveLength(TASK_OUTCOME_FEATURE_DIM);
            scores.push({ cat: event.cat, satisfaction: truth.get(event.taskId)!, ratings: event.ratings });
          } else {
            const a = truth.get(event.taskA)!;
            const b = truth.get(event.taskB);
            if (b !== undefined && Math.abs(a - b) > 0.2) preferences.push({ agrees: (event.preferred === 0) === a > b });
          }
        }
        if (step.truncated) break;
      }
    }
  }
  return { scores, preferences, finished };
}

describe('simulated users', () => {
  it('leave noisy CAT scores that correlate with the hidden satisfaction', () => {
    const { scores, finished } = collect(10);
    const correlation = pearson(
      scores.map((s) => s.cat),
      scores.map((s) => s.satisfaction),
    );
    console.log(`CAT score vs true satisfaction: Pearson r = ${correlation.toFixed(3)} over ${scores.length} scores (${finished} finished tasks)`);
    expect(correlation).toBeGreaterThan(0.7);
    expect(correlation).toBeLessThan(0.999);
    // About feedbackRate (0.3) of the finished tasks get a score.
    expect(scores.length / finished).toBeGreaterThan(0.25);
    expect(scores.length / finished).toBeLessThan(0.35);
    for (const s of scores) {
      expect(Number.isInteger(s.cat) && s.cat >= 1 && s.cat <= 10).toBe(true);
      for (const key of ['creativity', 'usefulness', 'novelty', 'quality']) {
        expect(Number.isInteger(s.ratings[key]) && s.ratings[key] >= 1 && s.ratings[key] <= 5).toBe(true);
      }
    }
    const usefulness = pearson(
      scores.map((s) => s.ratings.usefulness),
      scores.map((s) => s.satisfaction),
    );
    expect(usefulness).toBeGreaterThan(0.4);
  });

  it('state pairwise preferences that follow the true satisfaction (Bradley-Terry)', () => {
    const { preferences } = collect(12);
    const agreement = preferences.filter((p) => p.agrees).length / preferences.length;
    expect(preferences.length).toBeGreaterThan(50);
    // With temperature 8 and gaps above 0.2, Bradley-Terry agrees with the truth at least 83% of the time.
    expect(agreement).toBeGreaterThan(0.8);
  });

  it('grow noisier with catNoise and stay silent with feedbackRate 0', () => {
    const noisy = collect(4, { catNoise: 4 });
    const r = pearson(
      noisy.scores.map((s) => s.cat),
      noisy.scores.map((s) => s.satisfaction),
    );
    expect(r).toBeLessThan(0.7);
    expect(collect(1, { feedbackRate: 0, preferenceRate: 0 }).scores).toHaveLength(0);
  });
});
