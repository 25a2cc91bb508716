import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevelopmentToken, subgraphPortVariable } from '@icg/shared';
import { customerNoFor, DEFAULT_SEED, findStaff, generateOrg, identityOfStaff } from '@icg/synthetic';
import { CUSTOMER_360_QUERY, developmentTokenSecret, SUBGRAPH_REGISTRY } from '@icg/tools';
import { freePort } from '@icg/tools';
import { postGraphQL } from './support/graphql-client';

const ROOT = join(__dirname, '..');

/** Runs the compiled launcher (`npm start` runs the same after `tsc --build`) and collects its output. */
function startLauncher(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, [join(ROOT, 'tools', 'dist', 'start.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(read: () => string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" did not appear; output so far:\n${read().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('npm start on the embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icg-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('seeds on first run, starts six processes and answers the customer-360 query it prints', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, SEED_CUSTOMERS: '30', LOG_LEVEL: 'warn', PORT: String(await freePort()) };
    delete env['MYSQL_URL'];
    for (const { manifest } of SUBGRAPH_REGISTRY) env[subgraphPortVariable(manifest.name)] = String(await freePort());
    const launcher = startLauncher(env);
    try {
      await waitForOutput(launcher.output, 'The insurer customer graph is up', 90_000);
      expect(launcher.output()).toContain('first run: seeding 30 customers');
      expect(launcher.output()).toContain(`http://127.0.0.1:${env['PORT']}/graphql`);
      expect(launcher.output()).toContain('query Customer360');
      expect(launcher.output()).toContain('npm run -s token -- --role AUDITOR --purpose AUDIT');
      // The token `npm run token` would mint: signed with the development secret the launcher created.
      const secret = developmentTokenSecret({ DATA_DIR: dataDir })!;
      const auditor = identityOfStaff(findStaff(generateOrg(DEFAULT_SEED), 'AUDITOR'), 'AUDIT');
      const authorization = `Bearer ${await mintDevelopmentToken({ secret, identity: auditor })}`;
      const anonymous = await postGraphQL(`http://127.0.0.1:${env['PORT']}/graphql`, CUSTOMER_360_QUERY, { id: '1' });
      expect(anonymous.status).toBe(401);
      const response = await postGraphQL<{
        customer: { customerNo: string; policies: unknown[]; claims: unknown[]; serviceRequests: unknown[]; complaints: unknown[] };
      }>(`http://127.0.0.1:${env['PORT']}/graphql`, CUSTOMER_360_QUERY, { id: '1' }, { authorization });
      expect(response.errors).toBeUndefined();
      const customer = response.data!.customer;
      expect(customer.customerNo).toBe(customerNoFor(DEFAULT_SEED, 1));
      for (const list of [customer.policies, customer.claims, customer.serviceRequests, customer.complaints]) expect(Array.isArray(list)).toBe(true);
    } finally {
      launcher.child.kill('SIGTERM');
      await launcher.exited;
    }
  }, 150_000);

  it('does not report the graph up when another process answers on its gateway port: it says the gateway could not start', async () => {
    // Something else already listens on the gateway's port and answers every path, /ready included, with 200.
    const impostor = createServer((_request, response) => response.end('{"status":"ready"}'));
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const port = (impostor.address() as { port: number }).port;
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, SEED_CUSTOMERS: '30', LOG_LEVEL: 'warn', PORT: String(port) };
    delete env['MYSQL_URL'];
    for (const { manifest } of SUBGRAPH_REGISTRY) env[subgraphPortVariable(manifest.name)] = String(await freePort());
    const launcher = startLauncher(env);
    try {
      expect(await launcher.exited).toBe(1);
      expect(launcher.output()).not.toContain('The insurer customer graph is up');
      expect(launcher.output()).toMatch(/gateway (exited before it was listening|exited with code 1)/);
      expect(launcher.output()).toContain('EADDRINUSE');
    } finally {
      launcher.child.kill('SIGTERM');
      await new Promise((resolve) => impostor.close(resolve));
    }
  }, 150_000);
});
