import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MIN_PSEUDONYM_SECRET_BYTES } from './access/pseudonym';
import { ConfigError, type EnvReader } from './env-reader';

/** The shortest keyed-hash secret accepted (as pseudonymise requires); generated ones have 32 random bytes. */
const MIN_SECRET_BYTES = MIN_PSEUDONYM_SECRET_BYTES;

/**
 * A keyed-hash secret: `variable` if set (at least 16 bytes), else one generated once into
 * `<dataDir>/<fileName>` and shared by every process on the machine.
 */
export function readSecretSetting(reader: EnvReader, variable: string, dataDir: string, fileName: string): string {
  const configured = reader.optionalString(variable);
  if (configured !== undefined && Buffer.byteLength(configured, 'utf8') < MIN_SECRET_BYTES) {
    throw new ConfigError(variable, `must be at least ${MIN_SECRET_BYTES} bytes long`);
  }
  return configured ?? readOrCreateSecretFile(resolve(dataDir, fileName), variable);
}

/**
 * The secret in `path`, created on first use, for settings a developer need not configure on one
 * machine (`variable` is what to set instead). Processes starting together must all end up with the
 * same secret: each writes a complete candidate to its own temp file, then hard-links it into place,
 * which fails if the file exists; so the file appears atomically, and the losers read the winner's.
 */
export function readOrCreateSecretFile(path: string, variable: string): string {
  const existing = readSecret(path, variable);
  if (existing !== undefined) return existing;
  mkdirSync(resolve(path, '..'), { recursive: true });
  const candidate = `${randomBytes(32).toString('base64url')}\n`;
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, candidate, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') createWithoutLink(path, candidate, code, variable);
  } finally {
    unlinkSync(temp);
  }
  return readSecretPatiently(path, variable);
}

/** For file systems without hard links: exclusive create, then readers wait out the moment it is still empty. */
function createWithoutLink(path: string, candidate: string, linkErrorCode: string | undefined, variable: string): void {
  if (linkErrorCode !== 'EPERM' && linkErrorCode !== 'ENOTSUP' && linkErrorCode !== 'EOPNOTSUPP' && linkErrorCode !== 'ENOSYS') {
    throw new ConfigError(variable, `is unset and ${path} could not be created (${linkErrorCode ?? 'unknown error'})`);
  }
  try {
    writeFileSync(path, candidate, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function readSecretPatiently(path: string, variable: string): string {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; attempt < 50; attempt++) {
    const secret = readSecret(path, variable);
    if (secret !== undefined) return secret;
    Atomics.wait(pause, 0, 0, 20);
  }
  throw new ConfigError(variable, `is unset and ${path} holds fewer than ${MIN_SECRET_BYTES} bytes: delete it or set the variable`);
}

/** undefined when the file is missing or (while another process writes it without links) still short. */
function readSecret(path: string, variable: string): string | undefined {
  let content: string;
  try {
    content = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(variable, `is unset and ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  return Buffer.byteLength(content, 'utf8') >= MIN_SECRET_BYTES ? content : undefined;
}
