/**
 * loopgym's errors: one base class and a few named subclasses, so callers can branch on the kind
 * (`instanceof ConfigError`) and tests can match messages. Every message states what was expected and
 * what was found.
 */
export class LoopgymError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration value (env kwargs, agent hyperparameter, experiment spec field) is invalid. */
export class ConfigError extends LoopgymError {}

/** An action outside the action space, or one the action mask forbids. */
export class InvalidActionError extends LoopgymError {}

/** `step` was called before the first `reset`, or after the episode ended without a new `reset`. */
export class ResetNeededError extends LoopgymError {}

/** `make`/`spec` got an id that is not registered. The message lists the nearest registered ids. */
export class UnknownEnvError extends LoopgymError {}

/** `register` got an id that is malformed or already taken. */
export class RegistrationError extends LoopgymError {}

/** A space was built with invalid arguments, or a value does not fit a space. */
export class SpaceError extends LoopgymError {}

/** `checkEnv` found an environment that breaks the API contract. */
export class EnvCheckError extends LoopgymError {}

/** A file or folder (saved statistics, results, bundles) is missing, unreadable or corrupt. */
export class DataError extends LoopgymError {}

/**
 * A ratio (a multiplier, a compound rate) was asked of a denominator that is not clearly positive: its
 * confidence interval contains 0 (or lies below it), so the ratio and its interval would mean nothing.
 */
export class UndefinedRatioError extends DataError {}

/**
 * Training diverged: a loss or another training value became NaN or infinite (a learning rate too high, a
 * reward out of scale). The message names the step and the quantity.
 */
export class DivergenceError extends LoopgymError {}

/** Describes a value for error messages: its type and a short rendering. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isInteger(value) ? `${value}` : `${value} (number)`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) {
    const typed = value as unknown as ArrayLike<number>;
    const head = Array.from({ length: Math.min(typed.length, 6) }, (_, i) => typed[i]).join(', ');
    return `${value.constructor.name}(${typed.length}) [${head}${typed.length > 6 ? ', ...' : ''}]`;
  }
  if (Array.isArray(value)) return `array of length ${value.length}`;
  return typeof value;
}
