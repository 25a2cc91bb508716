/**
 * A server's process entry with `WORKERS` processes on one port (node:cluster): the primary forks the workers,
 * replaces one that dies, answers their requests for what must be one per service (primary-channel.ts) and on
 * SIGINT/SIGTERM stops them all, each draining its requests in flight. With one worker nothing is forked: the
 * process serves by itself, as before. The kernel's connections are handed out round-robin by the primary
 * (cluster's default on Linux), so a client's keep-alive connection stays with one worker.
 */
import cluster, { type Worker } from 'node:cluster';
import { exitOnTerminationSignals } from '../termination-signals';
import type { Logger } from '../logger';
import { clusterMetricsService } from './cluster-metrics';
import { servePrimaryRequests, workerChannel, type PrimaryChannel, type PrimaryServices } from './primary-channel';

export interface WorkerSlot {
  /** 0 to count - 1; a worker that replaces another takes its slot. */
  index: number;
  count: number;
  /**
   * Whether this worker runs what must run once per service, not once per worker: the outbox relay, the event
   * subscription, the scheduled jobs. Slot 0's, so its replacement takes them over.
   */
  runsSingletonWork: boolean;
  /** To the primary, when this is one of several workers. */
  channel?: PrimaryChannel;
}

export interface StoppableServer {
  close(): Promise<void>;
}

export interface ServerProcessesOptions {
  /** As messages name the server: `gateway`, `customers subgraph`. */
  name: string;
  workers: number;
  logger: Logger;
  /** Starts the server in this process: in each worker, or in the process itself with one worker. */
  start(slot: WorkerSlot): Promise<StoppableServer>;
  /** What the primary keeps for all its workers (caller limits…); the cluster's metrics are always served. */
  primaryServices?: readonly PrimaryServices[];
  /** Told of the stop signal before stopping starts. */
  onStopSignal?(signal: NodeJS.Signals): void;
}

const SLOT_ENV = 'ICG_WORKER_SLOT';
const STARTED_MESSAGE = { icg: 'worker-started' } as const;
/**
 * Told to the process that started this one over an IPC channel, if it opened one (`npm start` does): every worker of
 * this server holds its port. The launcher then knows that whatever answers on the port is this server, not another
 * process that held the port first.
 */
export const SERVER_LISTENING_MESSAGE = { icg: 'server-listening' } as const;
/** A worker that dies is replaced after this, doubling while replacements die young, up to the maximum. */
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** A worker that ran this long is not dying young: the next replacement starts after the first delay again. */
const HEALTHY_RUN_MS = 60_000;

function startFailed(name: string, error: unknown): never {
  process.stderr.write(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

/** Runs the server as configured: alone, as the primary of `workers` workers, or as one of those workers. */
export function runServerProcesses(options: ServerProcessesOptions): void {
  if (cluster.isWorker) return runWorker(options);
  if (options.workers <= 1) return runAlone(options);
  runPrimary(options);
}

function runAlone(options: ServerProcessesOptions): void {
  options.start({ index: 0, count: 1, runsSingletonWork: true }).then(
    (server) => {
      exitOnTerminationSignals(() => server.close(), options.onStopSignal);
      process.send?.(SERVER_LISTENING_MESSAGE);
    },
    (error: unknown) => startFailed(options.name, error),
  );
}

function runWorker(options: ServerProcessesOptions): void {
  const index = Number(process.env[SLOT_ENV] ?? 0);
  const channel = workerChannel();
  // Ctrl-C reaches every process of the terminal's group: the primary's SIGTERM that follows is the one acted on,
  // so a worker does not take the second signal for "stop now, whatever is draining".
  process.on('SIGINT', () => {});
  options.start({ index, count: options.workers, runsSingletonWork: index === 0, ...(channel ? { channel } : {}) }).then(
    (server) => {
      let stopping: Promise<void> | undefined;
      const stop = () =>
        (stopping ??= server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        ));
      process.once('SIGTERM', (signal) => {
        options.onStopSignal?.(signal);
        void stop();
      });
      // The primary is gone (killed outright): nothing would stop this worker any more.
      process.once('disconnect', () => void stop());
      process.send?.(STARTED_MESSAGE);
    },
    (error: unknown) => startFailed(`${options.name} worker ${index}`, error),
  );
}

function runPrimary(options: ServerProcessesOptions): void {
  const { logger, name } = options;
  servePrimaryRequests([clusterMetricsService(), ...(options.primaryServices ?? [])]);
  const slotOf = new Map<number, number>();
  const startedAt = new Map<number, number>();
  const restartDelay = new Array<number>(options.workers).fill(FIRST_RESTART_DELAY_MS);
  let started = 0;
  let stopping = false;
  let exitCode = 0;

  const fork = (index: number): Worker => {
    const worker = cluster.fork({ [SLOT_ENV]: String(index) });
    slotOf.set(worker.id, index);
    worker.on('message', (message: unknown) => {
      if ((message as { icg?: unknown })?.icg !== STARTED_MESSAGE.icg) return;
      startedAt.set(worker.id, Date.now());
      started += 1;
      if (started === options.workers) {
        logger.info({ workers: options.workers }, `${name}: every worker is listening`);
        process.send?.(SERVER_LISTENING_MESSAGE);
      }
    });
    return worker;
  };

  const stopAll = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
  };

  cluster.on('exit', (worker, code, signal) => {
    const index = slotOf.get(worker.id) ?? 0;
    slotOf.delete(worker.id);
    const ranSince = startedAt.get(worker.id);
    startedAt.delete(worker.id);
    if (stopping) {
      if (code !== 0 && code !== null) exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    if (ranSince === undefined) {
      // It never served: a configuration or start-up failure every replacement would repeat.
      logger.error({ worker: index, code, signal }, `${name}: a worker failed to start; stopping`);
      return stopAll(1);
    }
    const delay = Date.now() - ranSince >= HEALTHY_RUN_MS ? FIRST_RESTART_DELAY_MS : restartDelay[index]!;
    restartDelay[index] = Math.min(MAX_RESTART_DELAY_MS, delay * 2);
    logger.error({ worker: index, code, signal, restartInMs: delay }, `${name}: a worker ended unexpectedly; replacing it`);
    setTimeout(() => {
      if (!stopping) fork(index);
    }, delay);
  });

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      // A second signal: stop now, whatever is draining (as a single process does).
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    signalled = true;
    options.onStopSignal?.(signal);
    stopAll(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  logger.info({ workers: options.workers }, `${name}: starting ${options.workers} workers on one port`);
  for (let index = 0; index < options.workers; index += 1) fork(index);
}
