/**
 * The HTTP service on 127.0.0.1: correct answers, every bad-input case, concurrent requests, graceful
 * close in process, and SIGTERM shutdown of a child process (which runs the BUILT module: `npm test`
 * builds dist/ first; LOOPGYM_DIST points elsewhere when the build lives outside the repo).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAgent } from '../../src/export/export-run.js';
import { loadPolicy, type Decision, type PolicyRunner } from '../../src/export/policy-runner.js';
import { startServer, type RunningServer } from '../../src/export/serve.js';
import type { PolicyManifest } from '../../src/export/bundle.js';
import { recordObservations, trainPpo, type Recorded } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'loopgym-serve-'));
let bundle: string;
let server: RunningServer;
let reference: PolicyRunner;
let recorded: Recorded;

beforeAll(async () => {
  const { agent, env } = await trainPpo('Orchestrator-v0', 0);
  bundle = join(root, 'bundle');
  await exportAgent(agent, bundle, { env: { id: 'Orchestrator-v0' } });
  recorded = recordObservations(agent, env, 300);
  reference = await loadPolicy(bundle);
  server = await startServer({ policyDir: bundle, port: 0, maxBodyBytes: 64 * 1024, maxBatch: 100 });
});
afterAll(async () => {
  await server?.close();
  reference?.dispose();
  rmSync(root, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/** One request on its own connection; `body` is sent as is (string) or as JSON. */
function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, base = server.url): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const req = request(new URL(path, base), { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: parseBody(text) });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.end(typeof body === 'string' ? body : JSON.stringify(body));
    else req.end();
  });
}

const obs = (i: number) => Array.from(recorded.obs[i]);
const mask = (i: number) => Array.from(recorded.masks[i]!);
const plain = (d: Decision) => JSON.parse(JSON.stringify(d));

describe('answers', () => {
  it('POST /v1/decide answers one observation with the runner\'s decision', async () => {
    for (const i of [0, 10, 77]) {
      const reply = await call('POST', '/v1/decide', { obs: obs(i), mask: mask(i) });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
      expect(reply.body).toEqual(plain(reference.decide(recorded.obs[i], recorded.masks[i])));
      expect(Object.keys(reply.body).sort()).toEqual(['action', 'name', 'probs', 'value']);
    }
    const unmasked = await call('POST', '/v1/decide', { obs: obs(3) });
    expect(unmasked.body).toEqual(plain(reference.decide(recorded.obs[3])));
  });

  it('answers a batch with a list, in order', async () => {
    const items = [5, 6, 7, 8].map((i) => ({ obs: obs(i), mask: i % 2 ? mask(i) : null }));
    const reply = await call('POST', '/v1/decide', { batch: items });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(items.map((item, k) => plain(reference.decide(recorded.obs[5 + k], item.mask))));
  });

  it('GET /v1/manifest returns the manifest and GET /healthz says ok', async () => {
    const manifest = await call('GET', '/v1/manifest');
    expect(manifest.status).toBe(200);
    expect((manifest.body as PolicyManifest).env.id).toBe('Orchestrator-v0');
    expect(manifest.body).toEqual(JSON.parse(JSON.stringify(reference.manifest)));
    const health = await call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', env: 'Orchestrator-v0', algorithm: 'ppo' });
  });
});

describe('bad requests', () => {
  const size = () => reference.obsSize;
  const n = () => reference.numActions;
  const cases: Array<[string, number, () => unknown, RegExp]> = [
    ['wrong observation length', 400, () => ({ obs: [1, 2, 3] }), /Expected obs of length \d+ \(the Orchestrator-v0 observation\), but got length 3\./],
    ['a null (NaN) entry', 400, () => ({ obs: obs(0).map((v, i) => (i === 2 ? null : v)) }), /Expected obs\[2\] \(\w+\) to be a finite number, but got null\./],
    ['a NaN literal (not JSON)', 400, () => `{"obs": [${obs(0).map((v, i) => (i === 0 ? 'NaN' : v)).join(',')}]}`, /Expected a JSON body, but it is malformed: /],
    ['a string entry', 400, () => ({ obs: obs(0).map((v, i) => (i === 1 ? 'x' : v)) }), /Expected obs\[1\] \(\w+\) to be a finite number, but got "x"\./],
    ['an overflowing number', 400, () => `{"obs": [${obs(0).map((v, i) => (i === 0 ? '1e999' : v)).join(',')}]}`, /Expected obs\[0\] \(\w+\) to be a finite number, but got Infinity \(number\)\./],
    ...(['1e39', '3.5e38', '1e308', '-1e39'] as const).map(
      (big, k): [string, number, () => unknown, RegExp] => [
        `${big}, which overflows float32 (entry ${k})`,
        400,
        () => `{"obs": [${obs(0).map((v, i) => (i === k ? big : v)).join(',')}]}`,
        new RegExp(`Expected obs\\[${k}\\] \\(\\w+\\) to be a finite float32 number \\(\\|x\\| <= 3\\.4e38\\), but got `),
      ],
    ),
    ['a prototype key in the body', 400, () => `{"obs": [${obs(0).join(',')}], "__proto__": {"isAdmin": true}}`, /request body: Expected plain field names, but got the key "__proto__"/],
    ['obs not an array', 400, () => ({ obs: 'hello' }), /Expected obs to be an array of numbers, but got "hello"\./],
    ['a mask of the wrong length', 400, () => ({ obs: obs(0), mask: [1, 0] }), /Expected mask of length \d+ \(one per action\), but got length 2\./],
    ['an all-zero mask', 400, () => ({ obs: obs(0), mask: new Array(n()).fill(0) }), /Expected mask to allow at least one action, but got all zeros\./],
    ['a mask entry that is not 0/1', 400, () => ({ obs: obs(0), mask: mask(0).map((v, i) => (i === 0 ? 0.5 : v)) }), /Expected mask\[0\] to be 0 or 1, but got 0\.5 \(number\)\./],
    ['a mask that is not an array', 400, () => ({ obs: obs(0), mask: 'all' }), /Expected mask to be an array of 0\/1, but got "all"\./],
    ['malformed JSON', 400, () => '{"obs": [1, 2', /Expected a JSON body, but it is malformed: /],
    ['an empty body', 400, () => '', /Expected a JSON body, but it is malformed: /],
    ['a JSON array body', 400, () => [1, 2, 3], /Expected a JSON object with "obs" \(one decision\) or "batch" \(a list of \{obs, mask\?\}\), but got an array\./],
    ['no obs', 400, () => ({ observation: [1] }), /Expected "obs" in the body \(or "batch" at the top level\), but got keys \["observation"\]\./],
    ['an unknown key', 400, () => ({ obs: obs(0), maks: mask(0) }), /Expected only "obs", "mask" in the body, but got "maks"\./],
    ['an empty batch', 400, () => ({ batch: [] }), /Expected "batch" to be a non-empty array of \{obs, mask\?\}, but got array of length 0\./],
    ['a bad batch row', 400, () => ({ batch: [{ obs: obs(0) }, { obs: obs(1).slice(1) }] }), /Expected obs\[1\] of length \d+ \(the Orchestrator-v0 observation\), but got length \d+\./],
    ['a bad batch mask', 400, () => ({ batch: [{ obs: obs(0), mask: new Array(n()).fill(0) }] }), /Expected mask\[0\] to allow at least one action, but got all zeros\./],
    ['a batch over maxBatch', 400, () => ({ batch: Array.from({ length: 101 }, () => ({ obs: new Array(size()).fill(0) })) }), /Expected a batch of at most 100 items, but got 101\./],
    ['a body over maxBodyBytes', 413, () => ({ obs: new Array(20_000).fill(0.123456) }), /Expected a body of at most 65536 bytes, but got \d+\./],
  ];

  it.each(cases)('%s -> %i', async (_label, status, body, message) => {
    const reply = await call('POST', '/v1/decide', body());
    expect(reply.status).toBe(status);
    expect(reply.body.status).toBe(status);
    expect(reply.body.error).toMatch(message);
  });

  it('refuses an oversized chunked body (no Content-Length) with 413', async () => {
    const reply = await new Promise<Reply>((resolvePromise, reject) => {
      const req = request(new URL('/v1/decide', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: parseBody(Buffer.concat(chunks).toString('utf8')) }));
      });
      req.on('error', reject);
      req.write('{"obs": [');
      req.write('0,'.repeat(40_000));
      req.end('0]}');
    });
    expect(reply.status).toBe(413);
    expect(reply.body.error).toMatch(/Expected a body of at most 65536 bytes, but got more\./);
  });

  it.each([
    ['text/plain', /Expected Content-Type application\/json, but got "text\/plain"\./],
    ['application/x-www-form-urlencoded', /Expected Content-Type application\/json, but got "application\/x-www-form-urlencoded"\./],
  ])('refuses content type %s with 415', async (type, message) => {
    const reply = await call('POST', '/v1/decide', JSON.stringify({ obs: obs(0) }), { 'content-type': type });
    expect(reply.status).toBe(415);
    expect(reply.body.error).toMatch(message);
  });

  it('refuses a missing content type with 415, and accepts a charset parameter', async () => {
    const missing = await call('POST', '/v1/decide', JSON.stringify({ obs: obs(0) }), {});
    expect(missing.status).toBe(415);
    expect(missing.body.error).toMatch(/but got none\./);
    const charset = await call('POST', '/v1/decide', { obs: obs(0) }, { 'content-type': 'application/json; charset=utf-8' });
    expect(charset.status).toBe(200);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const missing = await call('GET', '/v2/decide');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/Expected one of GET \/healthz, GET \/v1\/manifest, POST \/v1\/decide, but got GET \/v2\/decide\./);
    const wrong = await call('GET', '/v1/decide');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(wrong.body.error).toMatch(/Expected POST \/v1\/decide, but got GET\./);
  });
});

describe('concurrency and shutdown', () => {
  it('serves 300 concurrent requests (single and batch, keep-alive) with the right answers', async () => {
    const replies = await Promise.all(
      recorded.obs.map((o, i) =>
        i % 10 === 0
          ? fetch(`${server.url}/v1/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch: [{ obs: Array.from(o), mask: Array.from(recorded.masks[i]!) }, { obs: Array.from(o) }] }) })
          : fetch(`${server.url}/v1/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ obs: Array.from(o), mask: Array.from(recorded.masks[i]!) }) }),
      ),
    );
    const bodies = await Promise.all(replies.map((r) => r.json()));
    bodies.forEach((body, i) => {
      expect(replies[i].status).toBe(200);
      const expected = plain(reference.decide(recorded.obs[i], recorded.masks[i]));
      expect(i % 10 === 0 ? (body as Decision[])[0] : body).toEqual(expected);
    });
  });

  it('answers other requests while slow clients are still sending', async () => {
    const slow = Array.from({ length: 5 }, (_, k) => startSlowRequest(server.url, { obs: obs(k), mask: mask(k) }));
    await Promise.all(slow.map((s) => s.headersSent));
    const quick = await call('POST', '/v1/decide', { obs: obs(9) });
    expect(quick.status).toBe(200);
    expect(server.inFlight()).toBeGreaterThanOrEqual(5);
    slow.forEach((s) => s.finish());
    const replies = await Promise.all(slow.map((s) => s.reply));
    replies.forEach((reply, k) => expect(reply.body).toEqual(plain(reference.decide(recorded.obs[k], recorded.masks[k]))));
  });

  it('survives a client that disconnects mid-body, and times out one that never finishes (408)', async () => {
    const own = await startServer({ runner: reference, port: 0, requestTimeoutMs: 400 });
    try {
      const aborted = request(new URL('/v1/decide', own.url), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000' }, agent: false });
      aborted.on('error', () => {});
      aborted.write('{"obs": [1, 2');
      await waitFor(() => own.inFlight() === 1);
      aborted.destroy();
      await waitFor(() => own.inFlight() === 0);
      const stalled = startSlowRequest(own.url, { obs: obs(0) });
      const reply = await stalled.reply;
      expect(reply.status).toBe(408);
      expect(reply.body.error).toMatch(/Expected the request body within 400 ms, but it did not arrive\./);
      await waitFor(() => own.inFlight() === 0);
      expect((await call('POST', '/v1/decide', { obs: obs(0) }, undefined, own.url)).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('close() stops accepting, lets the request in flight finish, then resolves', async () => {
    const own = await startServer({ runner: reference, port: 0 });
    const slow = startSlowRequest(own.url, { obs: obs(1), mask: mask(1) });
    await slow.headersSent;
    await waitFor(() => own.inFlight() === 1);
    let closed = false;
    const closing = own.close().then(() => {
      closed = true;
    });
    // Draining: health checks on new connections see 503, so a load balancer takes the instance out.
    const health = await call('GET', '/healthz', undefined, {}, own.url);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'shutting-down' });
    expect((await call('POST', '/v1/decide', { obs: obs(0) }, undefined, own.url)).status).toBe(503);
    expect(closed).toBe(false);
    slow.finish();
    const reply = await slow.reply;
    expect(reply.status).toBe(200);
    expect(reply.headers.connection).toBe('close');
    expect(reply.body).toEqual(plain(reference.decide(recorded.obs[1], recorded.masks[1])));
    await closing;
    expect(closed).toBe(true);
    // The runner was passed in, so it stays usable.
    expect(reference.decide(recorded.obs[1]).action).toBeGreaterThanOrEqual(0);
  });

  it('draining answers every request of 20 keep-alive clients sending batches (none reset), then stops', async () => {
    const own = await startServer({ runner: reference, port: 0, shutdownGraceMs: 10_000 });
    const batch = JSON.stringify({ batch: Array.from({ length: 100 }, (_, i) => ({ obs: obs(i % recorded.obs.length) })) });
    const agentOptions = { keepAlive: true, maxSockets: 1 };
    const { Agent } = await import('node:http');
    const errors: string[] = [];
    let answered = 0;
    let closingAnswers = 0;
    const perClient = new Array<number>(20).fill(0);
    const client = async (_: unknown, index: number) => {
      const agent = new Agent(agentOptions);
      try {
        for (;;) {
          const reply = await new Promise<{ status: number; connection?: string }>((resolveReply, reject) => {
            const req = request(`${own.url}/v1/decide`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(batch)) } }, (res) => {
              res.resume();
              res.on('end', () => resolveReply({ status: res.statusCode ?? 0, connection: res.headers.connection }));
            });
            req.on('error', reject);
            req.end(batch);
          });
          expect(reply.status).toBe(200);
          answered++;
          perClient[index]++;
          if (reply.connection === 'close') {
            closingAnswers++;
            return;
          }
        }
      } catch (error) {
        errors.push((error as NodeJS.ErrnoException).code ?? (error as Error).message);
      } finally {
        agent.destroy();
      }
    };
    const clients = Array.from({ length: 20 }, client);
    // Every client has its keep-alive connection before the drain starts (a later one would get 503).
    await waitFor(() => perClient.every((n) => n >= 2));
    const started = performance.now();
    await own.close();
    await Promise.all(clients);
    expect(errors).toEqual([]);
    expect(closingAnswers).toBe(20);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('a child process running runServe exits 0 on SIGTERM after finishing the request in flight', async () => {
    const dist = resolve(process.env.LOOPGYM_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url)));
    const serveModule = join(dist, 'src', 'export', 'serve.js');
    expect(existsSync(serveModule), `build first (npm run build): ${serveModule} is missing`).toBe(true);
    const script = `
      import { runServe } from ${JSON.stringify(pathToFileURL(serveModule).href)};
      await runServe({ policyDir: process.argv[1], port: 0, onListening: (s) => console.log(JSON.stringify({ url: s.url })) });
      console.log(JSON.stringify({ stopped: true }));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, bundle], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolveUrl, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const line = stdout.split('\n').find((l) => l.startsWith('{"url"'));
        if (line) resolveUrl((JSON.parse(line) as { url: string }).url);
      });
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before listening: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call('GET', '/healthz', undefined, {}, url)).status).toBe(200);
    const slow = startSlowRequest(url, { obs: obs(2), mask: mask(2) });
    await slow.headersSent;
    await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect((await call('GET', '/healthz', undefined, {}, url)).status).toBe(503);
    slow.finish();
    const reply = await slow.reply;
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(plain(reference.decide(recorded.obs[2], recorded.masks[2])));
    expect(await exited).toBe(0);
    expect(stdout).toContain('{"stopped":true}');
  });
});

/** JSON bodies parsed; anything else (Node's own 408, say) kept as text so the assertion, not the parser, fails. */
function parseBody(text: string): any {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A request whose body is sent in two halves: the second only when `finish()` is called. */
function startSlowRequest(base: string, body: unknown): { headersSent: Promise<void>; finish: () => void; reply: Promise<Reply> } {
  const text = JSON.stringify(body);
  let finish = () => {};
  let markSent = () => {};
  const headersSent = new Promise<void>((r) => (markSent = r));
  const reply = new Promise<Reply>((resolvePromise, reject) => {
    const req = request(new URL('/v1/decide', base), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: parseBody(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.write(text.slice(0, 10), () => markSent());
    finish = () => req.end(text.slice(10));
  });
  return { headersSent, finish: () => finish(), reply };
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error('Expected the condition to hold within the timeout, but it did not.');
    await new Promise((r) => setTimeout(r, 10));
  }
}
