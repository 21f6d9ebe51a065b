/**
 * A "company": the hidden parameters of one draw of the worker pool. Everything here is drawn from one
 * Rng, in a fixed order, so a seed names a company.
 */
import type { Rng } from '../../src/core/rng.js';
import { ARCHITECTURES } from './catalog.js';
import type { OrchestratorConfig } from './config.js';
import { getPlugin } from '../../src/plugins/registry.js';
import type { TaskPlugin } from '../../src/plugins/types.js';

export interface Company {
  numWorkers: number;
  numCategories: number;
  /** Success logit of worker w on category c at complexity 3, index w * numCategories + c. */
  logit: Float64Array;
  /** Logit lost per complexity level above 3. */
  slope: Float64Array;
  /** Multiplier on the nominal duration 1 + 1.4 * complexity ticks. */
  slowness: Float64Array;
  /** Cost per tick per capacity unit. */
  cost: Float64Array;
  /** Concurrent capacity units (a coordinated task takes 2). */
  capacity: Int32Array;
  /** Answer quality and creativity in [0, 1] (satisfaction drivers). */
  quality: Float64Array;
  creativity: Float64Array;
}

/** The architecture prior of each (worker, category) logit: base + affinityWeight x catalog affinity. */
export function priorLogits(architectures: ArrayLike<number>, categories: readonly string[], config: OrchestratorConfig): Float64Array {
  const c = categories.length;
  const prior = new Float64Array(architectures.length * c);
  for (let w = 0; w < architectures.length; w++) {
    const arch = ARCHITECTURES[architectures[w]];
    for (let k = 0; k < c; k++) prior[w * c + k] = arch.baseLogit + config.affinityWeight * (arch.affinity[categories[k]] ?? 0);
  }
  return prior;
}

/**
 * Draws a company. `categoryDomain[k]` is the plugin (domain) index of category k: a worker's skill has a
 * general part, a per-domain part and a per-category part, so what one task of a domain reveals about a
 * worker carries over to the domain's other categories. `into` (a company of the same shape) and `prior`
 * (from priorLogits) let the env redraw without allocating; the draws are the same either way.
 */
export function generateCompany(
  rng: Rng,
  architectures: ArrayLike<number>,
  categories: readonly string[],
  categoryDomain: ArrayLike<number>,
  config: OrchestratorConfig,
  into?: Company,
  prior: Float64Array = priorLogits(architectures, categories, config),
): Company {
  const n = architectures.length;
  const c = categories.length;
  const company: Company = into ?? {
    numWorkers: n,
    numCategories: c,
    logit: new Float64Array(n * c),
    slope: new Float64Array(n),
    slowness: new Float64Array(n),
    cost: new Float64Array(n),
    capacity: new Int32Array(n),
    quality: new Float64Array(n),
    creativity: new Float64Array(n),
  };
  let domains = 0;
  for (let k = 0; k < c; k++) domains = Math.max(domains, categoryDomain[k] + 1);
  const domain = new Float64Array(domains);
  for (let w = 0; w < n; w++) {
    const arch = ARCHITECTURES[architectures[w]];
    const general = rng.normal(0, config.workerSpread);
    for (let d = 0; d < domains; d++) domain[d] = rng.normal(0, config.domainSpread);
    for (let k = 0; k < c; k++) {
      company.logit[w * c + k] = prior[w * c + k] + general + domain[categoryDomain[k]] + rng.normal(0, config.skillSpread);
    }
    company.slope[w] = config.complexityPenalty * arch.complexitySlope * rng.uniform(0.8, 1.2);
    company.slowness[w] = config.durationScale * arch.slowness * rng.uniform(0.8, 1.25);
    company.cost[w] = arch.cost * rng.uniform(0.85, 1.15);
    company.capacity[w] = rng.integer(arch.capacity[0], arch.capacity[1] + 1);
    company.quality[w] = clamp01(arch.quality + rng.normal(0, config.qualitySpread));
    company.creativity[w] = clamp01(arch.creativity + rng.normal(0, config.qualitySpread));
  }
  return company;
}

export function copyCompany(company: Company): Company {
  return {
    ...company,
    logit: company.logit.slice(),
    slope: company.slope.slice(),
    slowness: company.slowness.slice(),
    cost: company.cost.slice(),
    capacity: company.capacity.slice(),
    quality: company.quality.slice(),
    creativity: company.creativity.slice(),
  };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** The task side of a world: the plugins of `pluginMix`, their shares, and the categories they bring. */
export interface TaskSources {
  plugins: TaskPlugin[];
  /** Share of each plugin in the arrival stream (pluginMix order). */
  mixWeights: Float64Array;
  /** Every plugin's categories in mix order; a name two plugins share belongs to the first. */
  categories: string[];
  /** Plugin (domain) index of each category. */
  domains: number[];
  /** Category name -> index in `categories`. */
  categoryIndex: Map<string, number>;
}

export function taskSources(config: OrchestratorConfig): TaskSources {
  const names = Object.keys(config.pluginMix);
  const plugins = names.map((name) => getPlugin(name));
  const categories: string[] = [];
  const domains: number[] = [];
  const categoryIndex = new Map<string, number>();
  plugins.forEach((plugin, p) => {
    for (const category of plugin.categories) {
      if (categoryIndex.has(category)) continue;
      categoryIndex.set(category, categories.length);
      categories.push(category);
      domains.push(p);
    }
  });
  return { plugins, mixWeights: Float64Array.from(names, (name) => config.pluginMix[name]), categories, domains, categoryIndex };
}

