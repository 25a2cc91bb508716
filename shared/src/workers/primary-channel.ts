/**
 * Requests from a cluster worker to its primary over the IPC channel cluster sets up: what must be one for all the
 * workers of a service (the gateway's per-caller limits, the metrics of every worker) lives in the primary, and
 * each worker asks it. Messages carry an `icg` tag, so prom-client's own cluster messages pass by untouched.
 */
import cluster, { type Worker } from 'node:cluster';

type WireMessage =
  | { icg: 'request'; id: number; kind: string; payload: unknown }
  | { icg: 'notice'; kind: string; payload: unknown }
  | { icg: 'reply'; id: number; result?: unknown; error?: string };

function isWireMessage(message: unknown): message is WireMessage {
  return typeof message === 'object' && message !== null && typeof (message as { icg?: unknown }).icg === 'string';
}

/** The primary did not answer (it is gone, or too busy to answer within the deadline). */
export class PrimaryUnavailableError extends Error {
  constructor(kind: string, reason: string) {
    super(`The primary process did not answer "${kind}": ${reason}`);
    this.name = 'PrimaryUnavailableError';
  }
}

/** What a worker may ask of its primary; one per process, from `workerChannel()`. */
export interface PrimaryChannel {
  /** Asks and waits for the answer; rejects with PrimaryUnavailableError after `timeoutMs`. */
  request<TResult>(kind: string, payload: unknown, timeoutMs?: number): Promise<TResult>;
  /** Tells, expecting no answer (a release of something the primary granted). */
  notify(kind: string, payload: unknown): void;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 2_000;

class ProcessPrimaryChannel implements PrimaryChannel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();

  constructor() {
    process.on('message', (message: unknown) => {
      if (!isWireMessage(message) || message.icg !== 'reply') return;
      const waiting = this.pending.get(message.id);
      if (waiting === undefined) return;
      this.pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.error !== undefined) waiting.reject(new Error(message.error));
      else waiting.resolve(message.result);
    });
  }

  request<TResult>(kind: string, payload: unknown, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<TResult> {
    const id = this.nextId++;
    return new Promise<TResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new PrimaryUnavailableError(kind, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.send({ icg: 'request', id, kind, payload }, (error) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        reject(new PrimaryUnavailableError(kind, error.message));
      });
    });
  }

  notify(kind: string, payload: unknown): void {
    this.send({ icg: 'notice', kind, payload }, () => {
      /* the primary is gone: there is nobody left to tell */
    });
  }

  private send(message: WireMessage, onError: (error: Error) => void): void {
    if (!process.send || !process.connected) return onError(new Error('the IPC channel is closed'));
    try {
      process.send(message, undefined, {}, (error: Error | null) => {
        if (error) onError(error);
      });
    } catch (error) {
      onError(error as Error);
    }
  }
}

let channel: PrimaryChannel | undefined;

/** This process's channel to its primary when it is a cluster worker; undefined in a process of its own. */
export function workerChannel(): PrimaryChannel | undefined {
  if (!cluster.isWorker) return undefined;
  channel ??= new ProcessPrimaryChannel();
  return channel;
}

/** Answers one kind of request, told which worker (cluster worker id) asks; may be async. */
export type PrimaryRequestHandler = (payload: unknown, workerId: number) => unknown;

export interface PrimaryServices {
  /** Requests by kind; the handler's result (or its error's message) is the answer. */
  requests?: Readonly<Record<string, PrimaryRequestHandler>>;
  /** Notices by kind. */
  notices?: Readonly<Record<string, (payload: unknown, workerId: number) => void>>;
  /** A worker has exited: whatever the service holds for it is released. */
  workerGone?(workerId: number): void;
}

/** The primary's side: answers its workers' requests with the given services. */
export function servePrimaryRequests(services: readonly PrimaryServices[]): void {
  const requests = new Map<string, PrimaryRequestHandler>();
  const notices = new Map<string, (payload: unknown, workerId: number) => void>();
  for (const service of services) {
    for (const [kind, handler] of Object.entries(service.requests ?? {})) requests.set(kind, handler);
    for (const [kind, handler] of Object.entries(service.notices ?? {})) notices.set(kind, handler);
  }
  const reply = (worker: Worker, message: WireMessage) => {
    if (worker.isConnected()) worker.send(message, undefined, () => {});
  };
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isWireMessage(message)) return;
    if (message.icg === 'notice') return notices.get(message.kind)?.(message.payload, worker.id);
    if (message.icg !== 'request') return;
    const handler = requests.get(message.kind);
    if (handler === undefined) return reply(worker, { icg: 'reply', id: message.id, error: `unknown request "${message.kind}"` });
    Promise.resolve()
      .then(() => handler(message.payload, worker.id))
      .then(
        (result) => reply(worker, { icg: 'reply', id: message.id, result }),
        (error: unknown) => reply(worker, { icg: 'reply', id: message.id, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  cluster.on('exit', (worker: Worker) => {
    for (const service of services) service.workerGone?.(worker.id);
  });
}
