/**
 * `npm run bench -- serve [--concurrency 8] [--requests 2000] [--seconds 10]`: throughput and latency of
 * `loopgym serve` on 127.0.0.1.
 *
 * Exports a seeded (untrained: weights do not change the cost) PPO policy for Orchestrator-v0 with its
 * default network, starts the service in a child process (so the load generator does not share its event
 * loop), and drives it with a bounded closed-loop load generator: `concurrency` keep-alive connections,
 * each sending its next request when the previous answer arrives, until `requests` requests or `seconds`
 * have passed, whichever comes first. Request bodies are built before timing starts.
 *
 * Prints one JSON line per scenario (in-process runner, HTTP batch 1, HTTP batch 64): requests/s,
 * decisions/s and p50/p99 latency in milliseconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../envs/index.js';
import '../envs/orchestrator/register.js';
import { make } from '../src/core/registry.js';
import { Rng } from '../src/core/rng.js';
import { initBackend } from '../src/nn/backend.js';
import { PpoAgent } from '../agents/ppo.js';
import { exportAgent } from '../src/export/export-run.js';
import { loadPolicy } from '../src/export/policy-runner.js';
import { runServe } from '../src/export/serve.js';

const ENV_ID = 'Orchestrator-v0';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Expected --${name} to be a positive number, but got ${process.argv[i + 1]}.`);
  return value;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Observations and masks from a few seeded random-play episodes, as plain arrays ready for JSON. */
function recordRequests(count: number): Array<{ obs: number[]; mask?: number[] }> {
  const env = make<Float32Array, number>(ENV_ID);
  const rng = new Rng(3);
  const out: Array<{ obs: number[]; mask?: number[] }> = [];
  let { obs, info } = env.reset({ seed: 3 });
  while (out.length < count) {
    const mask = info.actionMask instanceof Uint8Array ? info.actionMask : undefined;
    out.push(mask ? { obs: Array.from(obs), mask: Array.from(mask) } : { obs: Array.from(obs) });
    const step = env.step(env.actionSpace.sample(rng, mask) as number);
    ({ obs, info } = step);
    if (step.terminated || step.truncated) ({ obs, info } = env.reset({ seed: rng.integer(0, 2 ** 31) }));
  }
  env.close();
  return out;
}

async function child(policyDir: string): Promise<void> {
  await initBackend('wasm');
  await runServe({ policyDir, port: 0, maxBodyBytes: 4 * 1024 * 1024, onListening: (s) => console.log(JSON.stringify({ url: s.url })) });
}

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: Float64Array;
}

async function drive(url: string, bodies: string[], concurrency: number, maxRequests: number, maxSeconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL('/v1/decide', url);
  const latencies = new Float64Array(maxRequests);
  let issued = 0;
  let done = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + maxSeconds * 1000;
  const one = (body: string) =>
    new Promise<boolean>((resolve) => {
      const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('error', () => resolve(false));
      req.end(body);
    });
  const worker = async () => {
    while (issued < maxRequests && performance.now() < deadline) {
      const body = bodies[issued % bodies.length];
      issued++;
      const t0 = performance.now();
      const ok = await one(body);
      latencies[done++] = performance.now() - t0;
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { requests: done, errors, seconds, latenciesMs: latencies.slice(0, done).sort() };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]);
  const concurrency = flag('concurrency', 8);
  const maxRequests = flag('requests', 2000);
  const maxSeconds = flag('seconds', 10);
  const backend = await initBackend('wasm');
  const root = mkdtempSync(join(tmpdir(), 'loopgym-bench-serve-'));
  let server: ChildProcess | null = null;
  // A bench must stop by itself whatever happens to the child.
  const guard = setTimeout(() => {
    server?.kill('SIGKILL');
    console.error('bench serve: hard time limit reached');
    process.exit(1);
  }, (4 * maxSeconds + 120) * 1000);
  guard.unref();
  try {
    const env = make<Float32Array, number>(ENV_ID);
    const ppo = new PpoAgent({}, { seed: 0, observationSpace: env.observationSpace, actionSpace: env.actionSpace });
    env.close();
    const bundle = join(root, 'bundle');
    const { manifest } = await exportAgent(ppo, bundle, { env: { id: ENV_ID } });
    const recorded = recordRequests(64 * 16);
    const common = { bench: 'serve', env: ENV_ID, obsSize: manifest.observation.size, actions: manifest.action.n, network: manifest.policy.heads.map((h) => `${h.name}:${h.hiddenSizes.join('x')}`).join(','), backend: backend.backend, node: process.version };

    // In process, no HTTP: what the runner itself costs.
    const runner = await loadPolicy(bundle);
    for (const [batch, iterations] of [[1, 2000], [64, 200]] as const) {
      const lat = new Float64Array(iterations);
      const t0 = performance.now();
      for (let i = 0; i < iterations; i++) {
        const rows = recorded.slice((i * batch) % recorded.length, ((i * batch) % recorded.length) + batch);
        const s = performance.now();
        runner.decideBatch(rows.map((r) => r.obs), rows.map((r) => r.mask));
        lat[i] = performance.now() - s;
      }
      const seconds = (performance.now() - t0) / 1000;
      lat.sort();
      console.log(JSON.stringify({ ...common, mode: 'in-process', batch, requests: iterations, seconds: round(seconds), requestsPerSecond: round(iterations / seconds, 1), decisionsPerSecond: round((iterations * batch) / seconds, 1), p50Ms: round(percentile(lat, 0.5)), p99Ms: round(percentile(lat, 0.99)) }));
    }
    runner.dispose();

    const script = fileURLToPath(import.meta.url);
    server = spawn(process.execPath, [script, '--child', bundle], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{"url"'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      server!.once('exit', (code) => reject(new Error(`Expected the server child to start, but it exited with ${code}.`)));
    });

    for (const batch of [1, 64]) {
      const bodies = Array.from({ length: 16 }, (_, k) =>
        JSON.stringify(batch === 1 ? recorded[k] : { batch: recorded.slice(k * 64, k * 64 + 64) }),
      );
      const requests = batch === 1 ? maxRequests : Math.max(1, Math.round(maxRequests / 4));
      await drive(url, bodies, concurrency, Math.min(100, requests), maxSeconds); // warm-up
      const r = await drive(url, bodies, concurrency, requests, maxSeconds);
      console.log(JSON.stringify({
        ...common,
        mode: 'http',
        batch,
        concurrency,
        requests: r.requests,
        errors: r.errors,
        seconds: round(r.seconds),
        requestsPerSecond: round(r.requests / r.seconds, 1),
        decisionsPerSecond: round((r.requests * batch) / r.seconds, 1),
        p50Ms: round(percentile(r.latenciesMs, 0.5)),
        p99Ms: round(percentile(r.latenciesMs, 0.99)),
        bodyBytes: Buffer.byteLength(bodies[0]),
      }));
    }
  } finally {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
