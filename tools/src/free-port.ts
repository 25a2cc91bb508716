import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports handed out start here: above the well-known and most registered services' ports. */
const LOWEST_PORT = 10_000;
/** The kernel's default ephemeral range begins here (net.ipv4.ip_local_port_range). */
const DEFAULT_EPHEMERAL_LOW = 32_768;
/** Slices of the range, one per jest worker: more than any machine here runs. */
const WORKER_SLICES = 16;

/** The lowest port the kernel hands out for `listen(0)` and outbound connections. */
export function ephemeralLowPort(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): number {
  try {
    const low = Number(readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : DEFAULT_EPHEMERAL_LOW;
  } catch {
    return DEFAULT_EPHEMERAL_LOW;
  }
}

/**
 * The ports one jest worker picks from: its own slice of the ports below the kernel's ephemeral range. A port picked
 * here stays unbound until the process told it starts, sometimes a minute later on a loaded machine; below the
 * ephemeral range no `listen(0)` or outbound connection can take it meanwhile, and in its own slice no other test
 * file running in parallel picks it too. Undefined when the ephemeral range leaves no room below it.
 */
export function portSlice(workerId: number, ephemeralLow = ephemeralLowPort()): { first: number; size: number } | undefined {
  const size = Math.floor((ephemeralLow - LOWEST_PORT) / WORKER_SLICES);
  if (size < 16) return undefined;
  return { first: LOWEST_PORT + ((Math.max(1, workerId) - 1) % WORKER_SLICES) * size, size };
}

function canListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

let nextOffset: number | undefined;

/**
 * A port that was free a moment ago on 127.0.0.1, for processes that must be told their port up front. Under jest, from
 * the worker's own slice (portSlice), in turn from a random start; elsewhere whatever the kernel assigns.
 */
export async function freePort(): Promise<number> {
  const workerId = Number(process.env['JEST_WORKER_ID']);
  const slice = Number.isInteger(workerId) ? portSlice(workerId) : undefined;
  if (slice) {
    nextOffset ??= Math.floor(Math.random() * slice.size);
    for (let tried = 0; tried < slice.size; tried++) {
      const port = slice.first + (nextOffset++ % slice.size);
      if ((await canListen(port)) !== undefined) return port;
    }
  }
  const port = await canListen(0);
  if (port === undefined) throw new Error('No free port on 127.0.0.1');
  return port;
}
