import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { EnvReader } from '../../env-reader';
import { AUDIT_CHAIN_KEY_FILE, AUDIT_SECRET_FILE, readAuditConfig } from '../audit-config';

describe('readAuditConfig', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'icg-audit-config-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the variables, with defaults', () => {
    const keys = { AUDIT_PSEUDONYM_SECRET: 'a-configured-secret-of-32-bytes!', AUDIT_CHAIN_KEY: 'a-configured-chain-key-of-32-byte' };
    expect(readAuditConfig(new EnvReader(keys), dataDir)).toEqual({
      pseudonymSecret: 'a-configured-secret-of-32-bytes!',
      chainKey: 'a-configured-chain-key-of-32-byte',
      checkpointPath: join(dataDir, 'audit-checkpoints.jsonl'),
      checkpointIntervalMs: 10_000,
      flushIntervalMs: 200,
      batchSize: 500,
      maxQueued: 100_000,
      handoffGraceMs: 60_000,
      handoffSweepIntervalMs: 30_000,
    });
    const env = {
      ...keys,
      AUDIT_CHECKPOINT_PATH: join(dataDir, 'elsewhere', 'heads.jsonl'),
      AUDIT_CHECKPOINT_INTERVAL_MS: '1000',
      AUDIT_MYSQL_URL: 'mysql://audit_writer:pw@127.0.0.1:3306',
      AUDIT_FLUSH_INTERVAL_MS: '50',
      AUDIT_BATCH_SIZE: '100',
      AUDIT_MAX_QUEUED: '2000',
      AUDIT_HANDOFF_GRACE_MS: '5000',
      AUDIT_HANDOFF_SWEEP_MS: '1000',
    };
    expect(readAuditConfig(new EnvReader(env), dataDir)).toMatchObject({
      flushIntervalMs: 50,
      batchSize: 100,
      maxQueued: 2_000,
      checkpointPath: join(dataDir, 'elsewhere', 'heads.jsonl'),
      checkpointIntervalMs: 1_000,
      writerMysqlUrl: 'mysql://audit_writer:pw@127.0.0.1:3306',
      handoffGraceMs: 5_000,
      handoffSweepIntervalMs: 1_000,
    });
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('refuses a short secret and out-of-range numbers, naming the variable', () => {
    expect(() => readAuditConfig(new EnvReader({ AUDIT_PSEUDONYM_SECRET: 'short' }), dataDir)).toThrow('AUDIT_PSEUDONYM_SECRET must be at least 16 bytes');
    expect(() => readAuditConfig(new EnvReader({ AUDIT_BATCH_SIZE: '0' }), dataDir)).toThrow('AUDIT_BATCH_SIZE');
    expect(() => readAuditConfig(new EnvReader({ AUDIT_MAX_QUEUED: 'lots' }), dataDir)).toThrow('AUDIT_MAX_QUEUED');
    expect(() => readAuditConfig(new EnvReader({ AUDIT_FLUSH_INTERVAL_MS: '1' }), dataDir)).toThrow('AUDIT_FLUSH_INTERVAL_MS');
    expect(() => readAuditConfig(new EnvReader({ AUDIT_CHAIN_KEY: 'short' }), dataDir)).toThrow('AUDIT_CHAIN_KEY must be at least 16 bytes');
    expect(() => readAuditConfig(new EnvReader({ AUDIT_MYSQL_URL: 'postgres://x@y' }), dataDir)).toThrow('AUDIT_MYSQL_URL');
    expect(() => readAuditConfig(new EnvReader({ AUDIT_CHECKPOINT_INTERVAL_MS: '5' }), dataDir)).toThrow('AUDIT_CHECKPOINT_INTERVAL_MS');
    expect(() => readAuditConfig(new EnvReader({ AUDIT_HANDOFF_GRACE_MS: '10' }), dataDir)).toThrow('AUDIT_HANDOFF_GRACE_MS');
    expect(() => readAuditConfig(new EnvReader({ AUDIT_HANDOFF_SWEEP_MS: 'often' }), dataDir)).toThrow('AUDIT_HANDOFF_SWEEP_MS');
  });

  it('without the variable, generates a secret once into the data folder (mode 0600) and reuses it', () => {
    const nested = join(dataDir, 'not-yet-created');
    const first = readAuditConfig(new EnvReader({}), nested).pseudonymSecret;
    const file = join(nested, AUDIT_SECRET_FILE);
    expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readAuditConfig(new EnvReader({}), nested).pseudonymSecret).toBe(first);
    // The chain key is generated the same way, as a separate secret; no temp files left behind.
    const chainKey = readAuditConfig(new EnvReader({}), nested).chainKey;
    expect(chainKey).not.toBe(first);
    expect(readFileSync(join(nested, AUDIT_CHAIN_KEY_FILE), 'utf8').trim()).toBe(chainKey);
    expect(readdirSync(nested).sort()).toEqual([AUDIT_CHAIN_KEY_FILE, AUDIT_SECRET_FILE]);
  });

  it('uses a secret another process already wrote', () => {
    writeFileSync(join(dataDir, AUDIT_SECRET_FILE), 'written-by-another-process-0123456789\n');
    expect(readAuditConfig(new EnvReader({}), dataDir).pseudonymSecret).toBe('written-by-another-process-0123456789');
  });

  it('refuses a secret file that is too short', () => {
    writeFileSync(join(dataDir, AUDIT_SECRET_FILE), 'short\n');
    expect(() => readAuditConfig(new EnvReader({}), dataDir)).toThrow(/AUDIT_PSEUDONYM_SECRET is unset and .* holds fewer than 16 bytes/);
  });

  it('gives processes that start together the same secret', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'icg-audit-race-'));
    try {
      const entry = transpileForChildProcesses(workDir);
      const gateFile = join(workDir, 'go');
      const children = Array.from({ length: 8 }, () => startSecretReader(entry, dataDir, gateFile));
      // Every child has loaded the module and waits on the gate: opening it starts them within a millisecond or two.
      await Promise.all(children.map((child) => child.ready));
      writeFileSync(gateFile, '');
      const outputs = await Promise.all(children.map((child) => child.secret));
      expect(new Set(outputs).size).toBe(1);
      expect(outputs[0]).toBe(readFileSync(join(dataDir, AUDIT_SECRET_FILE), 'utf8').trim());
      expect(readdirSync(dataDir).sort()).toEqual([AUDIT_CHAIN_KEY_FILE, AUDIT_SECRET_FILE]);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 30_000);
});

/** audit-config.ts and what it imports, transpiled to CommonJS under `outDir` in the same layout; returns its path. */
function transpileForChildProcesses(outDir: string): string {
  const sourceRoot = resolve(__dirname, '../..');
  for (const file of ['audit/audit-config.ts', 'env-reader.ts', 'secret-files.ts', 'access/pseudonym.ts']) {
    const output = ts.transpileModule(readFileSync(join(sourceRoot, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const target = join(outDir, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
  return join(outDir, 'audit/audit-config.js');
}

/** A separate Node process that loads readAuditConfig, says "ready", waits for the gate file, then prints its secret. */
function startSecretReader(entry: string, dataDir: string, gateFile: string): { ready: Promise<void>; secret: Promise<string> } {
  const script = `
    const fs = require('node:fs');
    const { readAuditConfig } = require(${JSON.stringify(entry)});
    const { EnvReader } = require(${JSON.stringify(join(dirname(entry), '..', 'env-reader.js'))});
    process.stdout.write('ready\\n');
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (!fs.existsSync(${JSON.stringify(gateFile)})) Atomics.wait(pause, 0, 0, 1);
    process.stdout.write(readAuditConfig(new EnvReader({}), ${JSON.stringify(dataDir)}).pseudonymSecret);
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolveReady) => (signalReady = resolveReady));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) signalReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const secret = new Promise<string>((resolveSecret, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolveSecret(stdout.slice('ready\n'.length)) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
  // A child that dies before "ready" must not leave the test waiting on the gate.
  return { ready: Promise.race([ready, secret.then(() => undefined)]), secret };
}
