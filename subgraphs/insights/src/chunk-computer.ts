/**
 * Where a full recompute runs the rules (recompute-chunk.ts): on a worker thread, so that the main thread reads the
 * next chunk and writes the last one while the rules run on another core. The worker is the compiled
 * `recompute-worker.js` next to this file; run from the TypeScript sources (the tests), where a worker cannot load
 * them, the rules run on the calling thread, with the same results (the CLI test and the benchmark run the worker).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InsightRules } from './rules';
import { passOneOf, passTwoOf, type PassOneResult, type PassTwoResult, type Population, type RecomputeChunk } from './recompute-chunk';

export interface ChunkComputer {
  passOne(chunk: RecomputeChunk): Promise<PassOneResult>;
  /** The population figures pass two ranks and bands against; given once, before pass two. */
  setPopulation(population: Population): void;
  passTwo(chunk: RecomputeChunk): Promise<PassTwoResult>;
  close(): Promise<void>;
}

export interface ChunkComputerSetup {
  rules: InsightRules;
  /** ISO 8601. */
  asOf: string;
}

export type ChunkComputerRequest =
  | { kind: 'population'; population: Population }
  | { kind: 'passOne'; id: number; chunk: RecomputeChunk }
  | { kind: 'passTwo'; id: number; chunk: RecomputeChunk };

export type ChunkComputerReply = { id: number; result: PassOneResult | PassTwoResult; error?: undefined } | { id: number; error: string };

const WORKER_FILE = join(__dirname, 'recompute-worker.js');

export function openChunkComputer(rules: InsightRules, asOf: Date): ChunkComputer {
  return __filename.endsWith('.js') && existsSync(WORKER_FILE) ? workerComputer(rules, asOf) : inThreadComputer(rules, asOf);
}

export function inThreadComputer(rules: InsightRules, asOf: Date): ChunkComputer {
  let population: Population | undefined;
  return {
    passOne: async (chunk) => passOneOf(chunk, rules, asOf),
    setPopulation: (figures) => {
      population = figures;
    },
    passTwo: async (chunk) => {
      if (population === undefined) throw new Error('pass two before the population figures');
      return passTwoOf(chunk, rules, asOf, population);
    },
    close: async () => undefined,
  };
}

export function workerComputer(rules: InsightRules, asOf: Date, file = WORKER_FILE): ChunkComputer {
  const setup: ChunkComputerSetup = { rules, asOf: asOf.toISOString() };
  const worker = new Worker(file, { workerData: setup });
  const pending = new Map<number, { resolve: (result: PassOneResult | PassTwoResult) => void; reject: (error: Error) => void }>();
  let failure: Error | undefined;
  let nextId = 1;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };
  worker.on('message', (reply: ChunkComputerReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error !== undefined) waiting?.reject(new Error(`recompute worker: ${reply.error}`));
    else waiting?.resolve(reply.result);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`recompute worker exited (code ${code})`)));
  const ask = <T extends PassOneResult | PassTwoResult>(request: { kind: 'passOne' | 'passTwo'; chunk: RecomputeChunk }): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve: resolve as (result: PassOneResult | PassTwoResult) => void, reject });
      worker.postMessage({ ...request, id } as ChunkComputerRequest);
    });
  return {
    passOne: (chunk) => ask<PassOneResult>({ kind: 'passOne', chunk }),
    setPopulation: (population) => worker.postMessage({ kind: 'population', population } satisfies ChunkComputerRequest),
    passTwo: (chunk) => ask<PassTwoResult>({ kind: 'passTwo', chunk }),
    close: async () => {
      failure ??= new Error('recompute worker closed');
      await worker.terminate();
    },
  };
}
