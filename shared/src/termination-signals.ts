/**
 * A server process's stop: on the first SIGINT or SIGTERM, `stop` runs (drain requests in flight, flush
 * the audit, end tracing), then the process exits 0, or 1 if stopping failed. The handlers are `once`, so
 * a second signal gets Node's default and ends the process at once, whatever is still draining.
 */
export function exitOnTerminationSignals(stop: () => Promise<void>, onSignal?: (signal: NodeJS.Signals) => void): void {
  const handle = (signal: NodeJS.Signals): void => {
    onSignal?.(signal);
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
}
