/**
 * A small HTTP JSON service around a PolicyRunner, on node:http (what `loopgym serve` runs):
 *
 *   POST /v1/decide    {"obs": [...], "mask"?: [...]}             -> {"action", "name", "probs", "value"?}
 *                      {"batch": [{"obs": [...], "mask"?: [...]}]} -> [{"action", "name", "probs", "value"?}, ...]
 *   GET  /v1/manifest  the bundle's manifest.json
 *   GET  /healthz      {"status": "ok", ...} (503 while shutting down)
 *
 * Bad requests get a JSON error `{"error": "Expected ..., but got ...", "status": 4xx}`: 400 for a body that
 * does not fit the policy (wrong length, non-finite number, bad mask, malformed JSON, unknown keys),
 * 408 for a body that does not arrive within `requestTimeoutMs`, 413 for a body over `maxBodyBytes`,
 * 415 for a content type other than JSON, 404/405 for other routes.
 *
 * Shutdown (`close()`, or SIGTERM/SIGINT under runServe): no new work (a connection opened while draining
 * gets 503 for every request, `/healthz` included), answer every request received on the connections
 * already open (their responses carry `Connection: close`, keep-alive clients included),
 * idle keep-alive connections get 1 s for a request already sent and are then closed, and whatever is left
 * after `shutdownGraceMs` (`--drain-seconds`, default 10 s) is cut; the process then exits 0.
 *
 * Inference is synchronous and small, so each request is answered in one turn of the event loop; the
 * service is concurrent in the sense that many connections may be open and reading bodies at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConfigError, describeValue } from '../core/errors.js';
import { parseJsonSafely } from '../core/safe-json.js';
import type { BackendName } from '../nn/backend.js';
import { loadPolicy, PolicyInputError, PolicyRunner, type Decision, type MaskInput } from './policy-runner.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_BATCH = 1024;

export interface ServeOptions {
  /** The policy bundle folder (ignored when `runner` is given). */
  policyDir?: string;
  /** An already loaded runner (tests, embedding); it is not disposed by close(). */
  runner?: PolicyRunner;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (local only); use 0.0.0.0 to serve other hosts. */
  host?: string;
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Largest `batch` accepted. Default 1024. */
  maxBatch?: number;
  /** How long close() waits for requests in flight before cutting connections. Default 10 s. */
  shutdownGraceMs?: number;
  /** A request (headers and body) must arrive within this time, or it gets 408. Default 30 s. */
  requestTimeoutMs?: number;
  /** Refuse a bundle exported for another env id/version. */
  envId?: string;
  backend?: BackendName;
  /** Receives one line per notable event (listening, shutdown, 5xx errors). Default: none. */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  host: string;
  port: number;
  server: Server;
  runner: PolicyRunner;
  /** Requests received and not yet answered. */
  inFlight(): number;
  /** Graceful shutdown; resolves once every connection is closed. Idempotent. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const port = options.port ?? 8080;
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  const graceMs = options.shutdownGraceMs ?? 10_000;
  // A client that trickles its body must not hold a connection (and a shutdown) for Node's default 300 s.
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`Expected port to be an integer in [0, 65535], but got ${describeValue(port)}.`);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) throw new ConfigError(`Expected maxBodyBytes to be a positive integer, but got ${describeValue(maxBodyBytes)}.`);
  if (!(requestTimeoutMs > 0)) throw new ConfigError(`Expected requestTimeoutMs to be a positive number, but got ${describeValue(requestTimeoutMs)}.`);
  if (!Number.isInteger(maxBatch) || maxBatch <= 0) throw new ConfigError(`Expected maxBatch to be a positive integer, but got ${describeValue(maxBatch)}.`);
  let runner: PolicyRunner;
  if (options.runner) runner = options.runner;
  else if (options.policyDir) runner = await loadPolicy(options.policyDir, { ...(options.envId ? { envId: options.envId } : {}), ...(options.backend ? { backend: options.backend } : {}) });
  else throw new ConfigError('Expected policyDir (a policy bundle folder) or a runner, but got neither.');
  const ownsRunner = !options.runner;
  const log = options.log ?? (() => {});
  const manifestJson = JSON.stringify(runner.manifest);
  const startedAt = performance.now();
  let shuttingDown = false;
  let inFlight = 0;

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    if (res.headersSent || res.destroyed) return;
    // After 408/413 the rest of the body is unread: the connection cannot carry another request.
    const closeConnection = shuttingDown || status === 413 || status === 408;
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
      ...(closeConnection ? { connection: 'close' } : {}),
      ...headers,
    });
    res.end(body);
  };
  const sendError = (res: ServerResponse, status: number, message: string, headers?: Record<string, string>) => send(res, status, JSON.stringify({ error: message, status }), headers);

  const decide = async (req: IncomingMessage, res: ServerResponse) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json' && !type.endsWith('+json')) {
      throw new HttpError(415, `Expected Content-Type application/json, but got ${type ? JSON.stringify(type) : 'none'}.`);
    }
    const body = await readBody(req, maxBodyBytes, requestTimeoutMs);
    let parsed: unknown;
    try {
      parsed = parseJsonSafely(body, 'request body');
    } catch (error) {
      if (error instanceof ConfigError) throw new HttpError(400, error.message);
      throw new HttpError(400, `Expected a JSON body, but it is malformed: ${(error as Error).message}.`);
    }
    const result = answer(runner, parsed, maxBatch);
    send(res, 200, JSON.stringify(result));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = ROUTES[path];
    if (!route) throw new HttpError(404, `Expected one of ${ROUTE_LIST}, but got ${req.method} ${path}.`);
    if (req.method !== route) {
      res.setHeader('allow', route);
      throw new HttpError(405, `Expected ${route} ${path}, but got ${req.method}.`);
    }
    // A connection opened after shutdown began gets 503 for everything: load balancers see the drain.
    if (path !== '/healthz' && lateConnections.has(req.socket)) {
      throw new HttpError(503, 'Expected a running server, but it is shutting down (draining the requests it had); send this request elsewhere.');
    }
    if (path === '/healthz') {
      const status = shuttingDown ? 'shutting-down' : 'ok';
      send(res, shuttingDown ? 503 : 200, JSON.stringify({ status, env: runner.envId, algorithm: runner.manifest.algorithm.name, uptimeSeconds: (performance.now() - startedAt) / 1000 }));
    } else if (path === '/v1/manifest') {
      send(res, 200, manifestJson);
    } else {
      await decide(req, res);
    }
  };

  // Node's own deadline (an empty 408) only backs up readBody's, which answers with a JSON error; Node checks
  // deadlines every connectionsCheckingInterval (30 s by default), hence the shorter interval.
  // Requests in progress per open connection: a draining server ends only connections with none.
  const connections = new Map<Socket, number>();
  const lateConnections = new WeakSet<Socket>();
  let onConnectionClosed = () => {};
  const server = createServer({ requestTimeout: requestTimeoutMs + 1_000, connectionsCheckingInterval: Math.min(30_000, Math.max(50, requestTimeoutMs / 4)) }, (req, res) => {
    inFlight++;
    const socket = req.socket;
    connections.set(socket, (connections.get(socket) ?? 0) + 1);
    res.once('close', () => {
      inFlight--;
      if (connections.has(socket)) connections.set(socket, (connections.get(socket) ?? 1) - 1);
    });
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) sendError(res, error.status, error.message);
      else if (error instanceof PolicyInputError) sendError(res, 400, error.message);
      else {
        log(`error: ${(error as Error).stack ?? String(error)}`);
        sendError(res, 500, 'Expected to answer the request, but the server failed (see its log).');
      }
    });
  });
  // Keep-alive sockets that sit idle must not hold a shutdown open for their full timeout.
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket: Socket) => {
    // Draining: a new connection is answered 503 and closed (see handle); the port stays open until the drain ends.
    if (shuttingDown) lateConnections.add(socket);
    connections.set(socket, 0);
    socket.once('close', () => {
      connections.delete(socket);
      onConnectionClosed();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (ownsRunner) runner.dispose();
      reject(error.code === 'EADDRINUSE' ? new ConfigError(`Expected port ${port} on ${host} to be free, but it is in use.`) : error);
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;

  // Graceful drain: stop accepting; answer every request received, each with `Connection: close`
  // (keep-alive clients included); give idle keep-alive connections a moment for a request already on the
  // wire, then end them; cut whatever is left after graceMs. server.close() (which on Node >= 19 also drops
  // idle connections at once, resetting requests in transit) runs only when no connection is left.
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      shuttingDown = true;
      log(`shutting down: ${inFlight} request(s) in flight on ${connections.size} connection(s)`);
      const idle = setTimeout(() => {
        for (const [socket, active] of connections) if (active === 0) socket.destroy();
      }, Math.min(IDLE_DRAIN_MS, graceMs));
      const hard = setTimeout(() => {
        log(`drain time (${graceMs} ms) is up: closing ${connections.size} connection(s)`);
        for (const socket of connections.keys()) socket.destroy();
      }, graceMs);
      idle.unref();
      hard.unref();
      let finished = false;
      onConnectionClosed = () => {
        if (finished || connections.size > 0) return;
        finished = true;
        clearTimeout(idle);
        clearTimeout(hard);
        server.close(() => {
          if (ownsRunner) runner.dispose();
          log('stopped');
          resolve();
        });
      };
      onConnectionClosed();
    });
    return closing;
  };
  log(`listening on ${url} (policy for ${runner.envId}, ${runner.manifest.algorithm.name})`);
  return { url, host: address.address, port: address.port, server, runner, inFlight: () => inFlight, close };
}

/** How long a draining server keeps an idle keep-alive connection open for a request already sent on it. */
const IDLE_DRAIN_MS = 1_000;

const ROUTES: Record<string, 'GET' | 'POST'> = { '/healthz': 'GET', '/v1/manifest': 'GET', '/v1/decide': 'POST' };
const ROUTE_LIST = Object.entries(ROUTES).map(([path, method]) => `${method} ${path}`).join(', ');

function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new HttpError(413, `Expected a body of at most ${limit} bytes, but got ${declared}.`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (error: HttpError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => fail(new HttpError(408, `Expected the request body within ${timeoutMs} ms, but it did not arrive.`)), timeoutMs);
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) fail(new HttpError(413, `Expected a body of at most ${limit} bytes, but got more.`));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (error) => fail(new HttpError(400, `Expected a complete request body, but reading it failed: ${error.message}.`)));
    // A client that disconnects mid-body ends neither with 'end' nor always with 'error'.
    req.on('close', () => fail(new HttpError(400, 'Expected a complete request body, but the client closed the connection.')));
  });
}

type DecideRequest = { obs: unknown; mask?: unknown };

/** Validates the request's shape (the runner validates the numbers) and decides. */
function answer(runner: PolicyRunner, body: unknown, maxBatch: number): Decision | Decision[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, `Expected a JSON object with "obs" (one decision) or "batch" (a list of {obs, mask?}), but got ${Array.isArray(body) ? 'an array' : describeValue(body)}.`);
  }
  const record = body as Record<string, unknown>;
  if ('batch' in record) {
    checkKeys(record, ['batch'], 'the body');
    const batch = record.batch;
    if (!Array.isArray(batch) || batch.length === 0) throw new HttpError(400, `Expected "batch" to be a non-empty array of {obs, mask?}, but got ${describeValue(batch)}.`);
    if (batch.length > maxBatch) throw new HttpError(400, `Expected a batch of at most ${maxBatch} items, but got ${batch.length}.`);
    const observations: ArrayLike<number>[] = [];
    const masks: MaskInput[] = [];
    batch.forEach((item: unknown, i) => {
      const request = checkRequest(item, `batch[${i}]`);
      observations.push(request.obs as ArrayLike<number>);
      masks.push(request.mask as MaskInput);
    });
    return runner.decideBatch(observations, masks);
  }
  const request = checkRequest(record, 'the body');
  return runner.decide(request.obs as ArrayLike<number>, request.mask as MaskInput);
}

function checkRequest(item: unknown, where: string): DecideRequest {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new HttpError(400, `Expected ${where} to be an object {obs, mask?}, but got ${describeValue(item)}.`);
  const record = item as Record<string, unknown>;
  if (!('obs' in record)) throw new HttpError(400, `Expected "obs" in ${where} (or "batch" at the top level), but got keys ${JSON.stringify(Object.keys(record))}.`);
  checkKeys(record, ['obs', 'mask'], where);
  if (!Array.isArray(record.obs)) throw new HttpError(400, `Expected ${where === 'the body' ? '' : `${where}.`}obs to be an array of numbers, but got ${describeValue(record.obs)}.`);
  if (record.mask !== undefined && record.mask !== null && !Array.isArray(record.mask)) {
    throw new HttpError(400, `Expected ${where === 'the body' ? '' : `${where}.`}mask to be an array of 0/1, but got ${describeValue(record.mask)}.`);
  }
  return record as DecideRequest;
}

function checkKeys(record: Record<string, unknown>, allowed: string[], where: string): void {
  const unknown = Object.keys(record).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new HttpError(400, `Expected only ${allowed.map((k) => `"${k}"`).join(', ')} in ${where}, but got ${unknown.map((k) => JSON.stringify(k)).join(', ')}.`);
}

export interface RunServeOptions extends ServeOptions {
  /** Signals that trigger a graceful shutdown. Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  /** Called once listening (the CLI prints the URL). */
  onListening?: (server: RunningServer) => void;
}

/**
 * `loopgym serve`: starts the service and resolves after a signal has shut it down cleanly (the caller
 * then exits with code 0).
 */
export async function runServe(options: RunServeOptions): Promise<void> {
  const running = await startServer(options);
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      options.log?.(`received ${signal}`);
      running.close().then(resolve, resolve);
    };
    for (const s of signals) process.on(s, onSignal);
    options.onListening?.(running);
  });
}
