/**
 * Checkpoints of the audit chains' heads, kept outside the audit database (a file by default): each line names a
 * chain, its sequence and head hash at a time, signed with an HMAC under a key derived from the chain key. The
 * verifier compares the store with the newest valid checkpoint of every chain, so deleting a chain's newest records,
 * deleting a whole chain, or rewriting a chain from an edited record onwards no longer verifies as intact: whoever
 * can write the database still cannot rewrite this file's signatures without the key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AuditChainHead {
  chain: string;
  sequence: number;
  hash: string;
}

/** One line of the checkpoint file. */
export interface AuditCheckpoint extends AuditChainHead {
  /** ISO-8601 UTC. */
  at: string;
  /** HMAC-SHA-256 of the other fields, hex. */
  signature: string;
}

/** A key of its own for checkpoints, so a checkpoint signature can never pass for a record hash. */
function checkpointKey(chainKey: string): Buffer {
  return createHmac('sha256', chainKey).update('icg-audit-checkpoint-v1').digest();
}

function signatureOf(chainKey: string, checkpoint: Omit<AuditCheckpoint, 'signature'>): string {
  const canonical = JSON.stringify({ chain: checkpoint.chain, sequence: checkpoint.sequence, hash: checkpoint.hash, at: checkpoint.at });
  return createHmac('sha256', checkpointKey(chainKey)).update(canonical, 'utf8').digest('hex');
}

export function signCheckpoint(chainKey: string, head: AuditChainHead, at: Date = new Date()): AuditCheckpoint {
  const unsigned = { chain: head.chain, sequence: head.sequence, hash: head.hash, at: at.toISOString() };
  return { ...unsigned, signature: signatureOf(chainKey, unsigned) };
}

/** Appends one checkpoint line (mode 0600). One write per line: concurrent processes' lines never interleave. */
export function appendCheckpoint(path: string, checkpoint: AuditCheckpoint): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
}

export interface CheckpointReading {
  /** The newest valid checkpoint (highest sequence) of each chain. */
  latest: Map<string, AuditCheckpoint>;
  /** Lines that are not a checkpoint or whose signature does not check out (1-based line numbers). */
  invalidLines: number[];
  /** False when the file does not exist. */
  found: boolean;
}

function isCheckpoint(value: unknown): value is AuditCheckpoint {
  const entry = value as Partial<AuditCheckpoint> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.chain === 'string' &&
    typeof entry.sequence === 'number' &&
    Number.isInteger(entry.sequence) &&
    typeof entry.hash === 'string' &&
    typeof entry.at === 'string' &&
    typeof entry.signature === 'string'
  );
}

export function readCheckpoints(path: string, chainKey: string): CheckpointReading {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { latest: new Map(), invalidLines: [], found: false };
    throw error;
  }
  const latest = new Map<string, AuditCheckpoint>();
  const invalidLines: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      invalidLines.push(index + 1);
      return;
    }
    if (!isCheckpoint(parsed) || !sameHex(parsed.signature, signatureOf(chainKey, parsed))) {
      invalidLines.push(index + 1);
      return;
    }
    const known = latest.get(parsed.chain);
    if (known === undefined || parsed.sequence > known.sequence) latest.set(parsed.chain, parsed);
  });
  return { latest, invalidLines, found: true };
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The writer's side: checkpoints its chain's head after the first batch, then at most once per interval while the
 * head moves (a timer catches the last move of a quiet spell), and at close. Records written after the newest
 * checkpoint can be removed undetected: the interval bounds that window.
 */
export class AuditCheckpointer {
  private pending: AuditChainHead | undefined;
  private lastWrittenAt = Number.NEGATIVE_INFINITY;
  private lastWrittenSequence = -1;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      path: string;
      chainKey: string;
      intervalMs: number;
      /** Told when a checkpoint cannot be written (the file's folder is not writable, the disk is full). */
      onError: (error: unknown) => void;
    },
  ) {}

  /** The chain's head after a batch was committed. */
  headWritten(head: AuditChainHead): void {
    this.pending = { ...head };
    const due = this.lastWrittenAt + this.options.intervalMs;
    if (Date.now() >= due) {
      this.writePending();
      return;
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.writePending();
      }, due - Date.now());
      // The timer alone must not keep a process alive; close() writes the last checkpoint.
      this.timer.unref();
    }
  }

  /** At shutdown: the head as it is now. */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.writePending();
  }

  private writePending(): void {
    const head = this.pending;
    this.pending = undefined;
    if (head === undefined || head.sequence === this.lastWrittenSequence) return;
    try {
      appendCheckpoint(this.options.path, signCheckpoint(this.options.chainKey, head));
      this.lastWrittenAt = Date.now();
      this.lastWrittenSequence = head.sequence;
    } catch (error) {
      this.options.onError(error);
    }
  }
}
