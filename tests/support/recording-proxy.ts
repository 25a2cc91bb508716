import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it crossed the wire: what someone listening between gateway and subgraph would capture. */
export interface CapturedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP proxy in front of a subgraph that keeps a copy of every request it forwards. */
export interface RecordingProxy {
  /** Where to send requests (the proxy's `/graphql`). */
  url: string;
  captured: CapturedRequest[];
  /** The subgraph's GraphQL URL; requests before it is set fail with 502. */
  forwardTo(url: string): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding']);

export async function startRecordingProxy(): Promise<RecordingProxy> {
  let target: string | undefined;
  const captured: CapturedRequest[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      captured.push({ headers: request.headers, body });
      if (!target) return response.writeHead(502).end();
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !HOP_BY_HOP.has(entry[0])),
      );
      const answer = await fetch(target, { method: request.method, headers, body: request.method === 'POST' ? body : undefined });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      response.end(await answer.text());
    })().catch(() => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    captured,
    forwardTo: (url) => (target = url),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
