/**
 * Worker threads load plain JavaScript only. When loopgym runs from its TypeScript sources (vitest, tsx),
 * the worker script and the modules that register envs must be swapped for their compiled twins, found by
 * the build's layout: `<root>/src/x.ts` is compiled to `<root>/dist/src/x.js`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';

const TS_EXTENSION = /\.(m?)tsx?$/;

/**
 * Turns a module specifier (file URL, absolute or ./relative path, or bare package name) into something a
 * worker can `import()`: a file URL of a JavaScript file, or the bare name unchanged. Relative paths are
 * taken from `baseDir` (default: the current directory).
 */
export function runnableModuleUrl(specifier: string, baseDir = process.cwd()): string {
  let file: string;
  if (specifier.startsWith('file:')) file = fileURLToPath(specifier);
  else if (path.isAbsolute(specifier) || specifier.startsWith('./') || specifier.startsWith('../')) file = path.resolve(baseDir, specifier);
  else return specifier;
  if (TS_EXTENSION.test(file)) return pathToFileURL(compiledTwin(file)).href;
  if (/\.m?js$/.test(file) && !existsSync(file)) {
    // `new URL('./x.js', import.meta.url)` written in a .ts source points at a file that exists only in dist.
    const source = file.replace(/\.(m?)js$/, '.$1ts');
    if (existsSync(source)) return pathToFileURL(compiledTwin(source)).href;
  }
  return pathToFileURL(file).href;
}

/** The compiled JavaScript file of a TypeScript source: the first `<ancestor>/dist/<relative path>.js` that exists. */
export function compiledTwin(tsFile: string): string {
  const jsFile = tsFile.replace(TS_EXTENSION, '.$1js');
  let dir = path.dirname(jsFile);
  for (;;) {
    const candidate = path.join(dir, 'dist', path.relative(dir, jsFile));
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ConfigError(
    `Expected a compiled JavaScript twin of ${tsFile} in a dist/ folder above it (worker threads cannot load TypeScript), but found none. Run the build (npm run build) first.`,
  );
}
