import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SubgraphHttpClient } from '../subgraph-http-client';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A stand-in subgraph on 127.0.0.1 that counts the connections it accepts. */
async function fakeSubgraph(handler: Handler): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('SubgraphHttpClient', () => {
  const servers: { close: () => Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('posts the exact body with the given headers and hands back status, headers and the JSON answer', async () => {
    const seen: { body: string; requestId?: string; assertion?: string; method?: string }[] = [];
    const subgraph = await fakeSubgraph((request, body, response) => {
      seen.push({
        body,
        method: request.method,
        requestId: request.headers['x-request-id'] as string,
        assertion: request.headers['x-icg-identity'] as string,
      });
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=0' });
      response.end(JSON.stringify({ data: { customer: { name: '张三' } } }));
    });
    servers.push(subgraph);
    const body = JSON.stringify({ query: '{ customer { name } }', variables: { id: 'ü-1' } });

    const answer = await new SubgraphHttpClient().post(subgraph.url, {
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-1', 'x-icg-identity': 'signed' },
      body,
      timeoutMs: 2_000,
    });

    expect(seen).toEqual([{ body, method: 'POST', requestId: 'req-1', assertion: 'signed' }]);
    expect(answer.ok).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('Content-Type')).toBe('application/json');
    expect(answer.headers.get('cache-control')).toBe('max-age=0');
    expect(await answer.json()).toEqual({ data: { customer: { name: '张三' } } });
  });

  it('reuses one connection for calls one after another', async () => {
    const subgraph = await fakeSubgraph((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"data":{}}');
    });
    servers.push(subgraph);
    const client = new SubgraphHttpClient();

    for (let call = 0; call < 3; call++) {
      const answer = await client.post(subgraph.url, { headers: {}, body: '{}', timeoutMs: 2_000 });
      expect(await answer.text()).toBe('{"data":{}}');
    }

    expect(subgraph.connections()).toBe(1);
  });

  it("lets an idle connection go a second before the subgraph's Keep-Alive hint, rather than reusing it as the subgraph closes it", async () => {
    const subgraph = await fakeSubgraph((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"data":{}}');
    });
    servers.push(subgraph);
    // The fake answers with Node's default hint, `Keep-Alive: timeout=5`: the client lets the connection go after 4 s.
    const client = new SubgraphHttpClient();
    await client.post(subgraph.url, { headers: {}, body: '{}', timeoutMs: 2_000 });
    await new Promise((resolve) => setTimeout(resolve, 4_300));
    await client.post(subgraph.url, { headers: {}, body: '{}', timeoutMs: 2_000 });
    expect(subgraph.connections()).toBe(2);
  }, 15_000);

  it('answers an HTTP error status as a response, not a transport failure', async () => {
    const subgraph = await fakeSubgraph((_request, _body, response) => {
      response.writeHead(500, { 'content-type': 'text/html' });
      response.end('<html>oops</html>');
    });
    servers.push(subgraph);

    const answer = await new SubgraphHttpClient().post(subgraph.url, { headers: {}, body: '{}', timeoutMs: 2_000 });

    expect(answer.ok).toBe(false);
    expect(answer.status).toBe(500);
    expect(await answer.text()).toBe('<html>oops</html>');
  });

  it('fails with a TimeoutError when the whole answer has not arrived by the deadline, even if it started', async () => {
    const subgraph = await fakeSubgraph((_request, _body, response) => {
      // Headers and a first part at once, the rest never: only a deadline over the whole call catches this.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data":');
    });
    servers.push(subgraph);

    await expect(new SubgraphHttpClient().post(subgraph.url, { headers: {}, body: '{}', timeoutMs: 200 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it('refuses an answer larger than the cap instead of buffering it', async () => {
    const subgraph = await fakeSubgraph((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      // 4 MiB against a 1 MiB cap.
      for (let part = 0; part < 64; part++) response.write(chunk);
      response.end();
    });
    servers.push(subgraph);

    await expect(
      new SubgraphHttpClient({ maxResponseBytes: 1024 * 1024 }).post(subgraph.url, { headers: {}, body: '{}', timeoutMs: 5_000 }),
    ).rejects.toMatchObject({ name: 'SubgraphResponseTooLarge' });
  });

  it('fails when the subgraph closes the connection in the middle of an answer', async () => {
    const subgraph = await fakeSubgraph((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"data":', () => response.socket?.destroy());
    });
    servers.push(subgraph);

    const call = new SubgraphHttpClient().post(subgraph.url, { headers: {}, body: '{}', timeoutMs: 5_000 });

    await expect(call).rejects.toThrow();
    await expect(call).rejects.not.toMatchObject({ name: 'TimeoutError' });
  });

  it('fails when nothing listens at the subgraph address', async () => {
    const subgraph = await fakeSubgraph(() => undefined);
    await subgraph.close();

    await expect(new SubgraphHttpClient().post(subgraph.url, { headers: {}, body: '{}', timeoutMs: 2_000 })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
