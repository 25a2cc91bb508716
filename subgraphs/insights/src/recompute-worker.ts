/**
 * The worker thread of a full recompute (chunk-computer.ts): runs the rules over the chunks the main thread reads and
 * hands back what it writes. Messages are answered in the order they come, so the population figures sent before
 * pass two's first chunk are there for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { InsightRules } from './rules';
import { passOneOf, passTwoOf, type Population } from './recompute-chunk';
import type { ChunkComputerRequest, ChunkComputerReply, ChunkComputerSetup } from './chunk-computer';

const { rules, asOf: asOfText } = workerData as ChunkComputerSetup;
const asOf = new Date(asOfText);
let population: Population | undefined;

function answer(request: ChunkComputerRequest): ChunkComputerReply | undefined {
  switch (request.kind) {
    case 'population':
      population = request.population;
      return undefined;
    case 'passOne':
      return { id: request.id, result: passOneOf(request.chunk, rules as InsightRules, asOf) };
    case 'passTwo':
      if (population === undefined) throw new Error('pass two before the population figures');
      return { id: request.id, result: passTwoOf(request.chunk, rules as InsightRules, asOf, population) };
  }
}

parentPort!.on('message', (request: ChunkComputerRequest) => {
  let reply: ChunkComputerReply | undefined;
  try {
    reply = answer(request);
  } catch (error) {
    reply = { id: 'id' in request ? request.id : -1, error: error instanceof Error ? error.message : String(error) };
  }
  if (reply !== undefined) parentPort!.postMessage(reply);
});
