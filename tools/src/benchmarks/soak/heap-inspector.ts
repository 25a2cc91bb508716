import { createWriteStream } from 'node:fs';
import WebSocket from 'ws';

/**
 * The heap of a server started with `--inspect=127.0.0.1:<port>`, read over the Chrome DevTools Protocol: the
 * application code stays as it ships (no `--expose-gc`, no debug route), and a forced collection is V8's own
 * (`HeapProfiler.collectGarbage`), the one DevTools' bin button runs.
 */
export class HeapInspector {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Map<string, (params: unknown) => void>();

  private constructor(
    readonly name: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown };
      if (message.id === undefined) {
        if (message.method) this.listeners.get(message.method)?.(message.params);
        return;
      }
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      if (message.error) waiter.reject(new Error(`${name}: ${message.error.message}`));
      else waiter.resolve(message.result);
    });
    socket.on('close', () => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`${name}: the inspector connection closed`));
      this.waiting.clear();
    });
  }

  /** Connects to the first target the process's inspector lists (its main thread). */
  static async connect(name: string, port: number): Promise<HeapInspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`${name}: the inspector on port ${port} lists no target`);
    const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 2 ** 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new HeapInspector(name, socket);
  }

  call<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: ${method} had no answer within ${timeoutMs / 1_000} s`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Bytes of the JavaScript heap in use now (garbage included). */
  async heapUsed(): Promise<number> {
    return (await this.call<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize;
  }

  /**
   * Bytes in use after full collections. Three in a row: objects with finalizers or weak references (the audit
   * trail's FinalizationRegistry, caches of WeakRefs) are only freed by a collection after the one that found them.
   */
  async heapAfterGc(): Promise<number> {
    for (let round = 0; round < 3; round++) await this.call('HeapProfiler.collectGarbage');
    return this.heapUsed();
  }

  /** Writes a heap snapshot (for Chrome DevTools' Memory tab) to `path`; to find what a growing heap holds. */
  async writeHeapSnapshot(path: string): Promise<void> {
    const file = createWriteStream(path);
    this.listeners.set('HeapProfiler.addHeapSnapshotChunk', (params) => file.write((params as { chunk: string }).chunk));
    try {
      await this.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, 600_000);
    } finally {
      this.listeners.delete('HeapProfiler.addHeapSnapshotChunk');
      await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
    }
  }

  close(): void {
    this.socket.close();
  }
}
