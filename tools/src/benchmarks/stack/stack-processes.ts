import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { REPOSITORY_ROOT } from '../../subgraph-registry';
import { SERVER_NODE_FLAGS } from '../../server-node-flags';
import { SQL_STATEMENT_COUNT_REQUEST, type SqlStatementCount } from './sql-statement-count';

/** One server of a stack, run as its own Node process like `npm start` runs the graph's servers. */
export interface ServerProcess {
  name: string;
  pid: number;
  logPath: string;
  child: ChildProcess;
}

/** Servers started and not yet exited, so an interrupted run can stop them. */
const running = new Set<ServerProcess>();

export interface LaunchOptions {
  /** Node flags after the servers' own, e.g. `--cpu-prof`. */
  extraFlags?: readonly string[];
  /** Preload the SQL statement counter and open an IPC channel to ask it (`sqlStatementCount`). */
  countSql?: boolean;
}

/** Starts `entry` (relative to the repository root) with the servers' V8 flags, its output appended to `<logDirectory>/<name>.log`. */
export function launchServer(name: string, entry: string, env: NodeJS.ProcessEnv, logDirectory: string, options: LaunchOptions = {}): ServerProcess {
  const logPath = join(logDirectory, `${name}.log`);
  const log = openSync(logPath, 'a');
  try {
    const counter = options.countSql ? ['--require', join(__dirname, 'sql-statement-counter.js')] : [];
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...(options.extraFlags ?? []), ...counter, join(REPOSITORY_ROOT, entry)], {
      env,
      stdio: options.countSql ? ['ignore', log, log, 'ipc'] : ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`${name} could not be started`);
    const server = { name, pid: child.pid, logPath, child };
    running.add(server);
    child.once('exit', () => running.delete(server));
    return server;
  } finally {
    closeSync(log);
  }
}

/** The statements a server launched with `countSql` has sent so far. */
export function sqlStatementCount(server: ServerProcess, timeoutMs = 5_000): Promise<SqlStatementCount> {
  const { child } = server;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`${server.name} did not report its SQL statement count within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      const count = (message as { sqlStatementCount?: SqlStatementCount } | null)?.sqlStatementCount;
      if (!count) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(count);
    };
    child.on('message', onMessage);
    if (!child.send?.(SQL_STATEMENT_COUNT_REQUEST)) {
      clearTimeout(timer);
      child.off('message', onMessage);
      reject(new Error(`${server.name} has no statement counter (launched without countSql)`));
    }
  });
}

/** The last lines a server wrote, for a failure message. */
export function logTail(server: ServerProcess, lines = 15): string {
  try {
    return readFileSync(server.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `probe` until it resolves true; fails naming the server (and its last log lines) when it exits or time runs out. */
export async function waitUntilReady(server: ServerProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`${server.name} exited (${server.child.exitCode ?? server.child.signalCode}) before it was ready:\n${logTail(server)}`);
    }
    try {
      if (await probe()) return;
    } catch {
      /* not listening yet */
    }
    await delay(200);
  }
  throw new Error(`${server.name} was not ready within ${timeoutMs / 1_000} s:\n${logTail(server)}`);
}

/** GET `url` answers 200. */
export const answersOk = (url: string) => async (): Promise<boolean> => (await fetch(url)).ok;

/** SIGTERM (the servers drain and flush their audit), SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopServer(server: ServerProcess, graceMs = 15_000): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** On Ctrl-C or SIGTERM, stops every server still running (no orphaned processes holding ports), then exits. */
export function stopServersOnSignal(): void {
  const handle = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: stopping ${running.size} servers\n`);
    void Promise.all([...running].map((server) => stopServer(server, 5_000))).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
}
