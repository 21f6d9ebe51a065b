/**
 * The plugin registry: a name -> plugin map preloaded with the built-ins. The Orchestrator env resolves
 * the names in its `pluginMix` here when it is constructed, so a plugin registered before `make` shows up
 * in that env's task stream.
 */
import { ConfigError, RegistrationError } from '../core/errors.js';
import { benchmarkPlugin } from './benchmark.js';
import { customerSupportPlugin } from './customer-support.js';
import { salesResearchPlugin } from './sales-research.js';
import type { TaskPlugin } from './types.js';

const plugins = new Map<string, TaskPlugin>();

export const BUILTIN_PLUGINS: readonly TaskPlugin[] = [customerSupportPlugin, salesResearchPlugin, benchmarkPlugin];

export function registerPlugin(plugin: TaskPlugin, options: { replace?: boolean } = {}): void {
  if (!plugin || typeof plugin.name !== 'string' || !/^[a-z][\w-]*$/.test(plugin.name)) {
    throw new RegistrationError(`Expected a plugin name of lowercase letters, digits, _ or -, but got ${JSON.stringify(plugin?.name)}.`);
  }
  if (typeof plugin.generate !== 'function') throw new RegistrationError(`Expected plugin ${plugin.name} to have a generate() function, but it has none.`);
  if (!Array.isArray(plugin.categories) || plugin.categories.length === 0) {
    throw new RegistrationError(`Expected plugin ${plugin.name} to declare at least one category, but got ${JSON.stringify(plugin.categories)}.`);
  }
  if (plugins.has(plugin.name) && !options.replace) {
    throw new RegistrationError(`Expected a new plugin name, but ${plugin.name} is already registered (pass {replace: true} to replace it).`);
  }
  plugins.set(plugin.name, plugin);
}

/** Removes a plugin (built-ins included); returns whether it was registered. */
export function unregisterPlugin(name: string): boolean {
  return plugins.delete(name);
}

export function listPlugins(): TaskPlugin[] {
  return [...plugins.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function getPlugin(name: string): TaskPlugin {
  const plugin = plugins.get(name);
  if (plugin) return plugin;
  throw new ConfigError(`Expected a registered plugin name (${[...plugins.keys()].sort().join(', ')}), but got ${JSON.stringify(name)}.`);
}

for (const plugin of BUILTIN_PLUGINS) registerPlugin(plugin);
