/**
 * The simulated users of Orchestrator-v0 (see env.ts's header, "Simulated users"): the true satisfaction
 * of a finished task, the CAT score and the four ratings a user gives, and the Bradley-Terry preference
 * between two tasks. Pure functions of their inputs and of the noise the env draws for them, in the env's
 * draw order (env.ts `finish`).
 */

/** U(-w/2, w/2) has standard deviation w / sqrt(12). */
const MOOD_WIDTH_PER_STD = Math.sqrt(12);

export interface SatisfactionInput {
  succeeded: boolean;
  /** The task failed visibly (not hung or abandoned). */
  failed: boolean;
  /** 1 within the SLA, else max(0, 1 - overrun / SLA). */
  timeliness: number;
  /** The worker's answer quality and creativity (0 for none). */
  quality: number;
  creativity: number;
  /** The task's creativity need (plugin feature 5). */
  creativityNeed: number;
  coordinated: boolean;
}

/** True satisfaction in [0, 1]: the outcome's base plus the user's mood, a uniform draw `mood` in [0, 1). */
export function trueSatisfaction(task: SatisfactionInput, mood: number, moodNoise: number): number {
  let satisfaction: number;
  if (task.succeeded) satisfaction = 0.35 + 0.3 * task.quality + 0.2 * task.timeliness + 0.15 * task.creativity * task.creativityNeed + (task.coordinated ? 0.05 : 0);
  else if (task.failed) satisfaction = 0.1 + 0.1 * task.timeliness;
  else satisfaction = 0.02;
  satisfaction += MOOD_WIDTH_PER_STD * moodNoise * (mood - 0.5);
  return satisfaction < 0 ? 0 : satisfaction > 1 ? 1 : satisfaction;
}

export function clampRound(x: number, low: number, high: number): number {
  const r = Math.round(x);
  return r < low ? low : r > high ? high : r;
}

/** The CAT score 1-10 for a satisfaction and the user's noise draw. */
export function catScore(satisfaction: number, noise: number): number {
  return clampRound(1 + 9 * satisfaction + noise, 1, 10);
}

/** What drives each 1-5 rating (before noise), for a task worked by a worker (or by none: abandoned). */
export function ratingDrivers(task: Omit<SatisfactionInput, 'failed' | 'coordinated'>, hasWorker: boolean): { creativity: number; usefulness: number; novelty: number; quality: number } {
  const { succeeded, timeliness, quality: q, creativity: cr, creativityNeed } = task;
  return {
    usefulness: succeeded ? 0.5 + 0.5 * timeliness : 0.1,
    quality: !hasWorker ? 0 : succeeded ? q : 0.2 * q,
    creativity: !hasWorker ? 0 : cr * (0.5 + 0.5 * creativityNeed) * (succeeded ? 1 : 0.5),
    novelty: !hasWorker ? 0.4 * creativityNeed * 0.6 : (0.6 * cr + 0.4 * creativityNeed) * (succeeded ? 1 : 0.6),
  };
}

/** A 1-5 rating from its driver and the user's noise draw. */
export function rating(driver: number, noise: number): number {
  return clampRound(1 + 4 * driver + noise, 1, 5);
}

/** P(the user prefers task A over task B), Bradley-Terry on their true satisfactions. */
export function preferenceProbability(satisfactionA: number, satisfactionB: number, temperature: number): number {
  return 1 / (1 + Math.exp(-temperature * (satisfactionA - satisfactionB)));
}
