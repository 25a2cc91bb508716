/**
 * The recompute's worker thread (src/chunk-computer.ts, src/recompute-worker.ts) computes exactly what the calling
 * thread computes, over a chunk of a seeded insights store (SQLite), and passes a failure in the worker on to the
 * caller. The worker is the compiled file (`npm test` builds it first); `insights:refresh` run as a command uses it,
 * through the gateway, in tests/insights.test.ts.
 */
import { join } from 'node:path';
import { openDatabase, type Knex } from '@icg/shared';
import { seedTestStore, type SeededStore } from '../../../../tests/support/seeded-subgraph';
import { inThreadComputer, workerComputer, type ChunkComputer } from '../chunk-computer';
import { unitFiguresOf, valueCutoffsOf, type OrgUnitRow } from '../read-model';
import { readRecomputeChunk } from '../refresh';
import { insightsSeeder } from '../seed';
import { insightRules, insightsSubgraph } from '../server';

const COMPILED_WORKER = join(__dirname, '..', '..', 'dist', 'recompute-worker.js');
const AS_OF = new Date('2026-11-02T02:00:00Z');

describe('the recompute worker thread', () => {
  let store: SeededStore;
  let db: Knex;
  const opened: ChunkComputer[] = [];
  const worker = () => {
    const computer = workerComputer(insightRules, AS_OF, COMPILED_WORKER);
    opened.push(computer);
    return computer;
  };

  beforeAll(async () => {
    store = await seedTestStore({ manifest: insightsSubgraph, seeder: insightsSeeder, dialect: 'sqlite', customers: 40 });
    db = openDatabase(store.databases.config, 'insights');
  });
  afterAll(async () => {
    await Promise.all(opened.map((computer) => computer.close()));
    await db?.destroy();
    await store?.databases.cleanup();
  });

  it('gives both passes the results the calling thread gives', async () => {
    const chunk = (await readRecomputeChunk(db, 0, AS_OF))!;
    expect(chunk.customers).toHaveLength(40);
    const [onWorker, here] = [worker(), inThreadComputer(insightRules, AS_OF)];
    const passOne = await onWorker.passOne(chunk);
    expect(passOne.values).toHaveLength(40);
    expect(passOne).toEqual(await here.passOne(chunk));

    const population = {
      units: unitFiguresOf((await db('insight_unit_premium').select('*')) as OrgUnitRow[]),
      cutoffs: await valueCutoffsOf(db),
    };
    onWorker.setPopulation(population);
    here.setPopulation(population);
    const passTwo = await onWorker.passTwo(chunk);
    expect(passTwo.insights.map((row) => String(row.customer_id))).toEqual(chunk.customers.map((customer) => String(customer.customer_id)));
    expect(passTwo.findings.flat().length).toBeGreaterThan(0);
    expect(passTwo).toEqual(await here.passTwo(chunk));
  });

  it("rejects with the worker's error, and every request after it is closed", async () => {
    const chunk = (await readRecomputeChunk(db, 0, AS_OF))!;
    const onWorker = worker();
    await expect(onWorker.passTwo(chunk)).rejects.toThrow('recompute worker: pass two before the population figures');
    await onWorker.close();
    await expect(onWorker.passOne(chunk)).rejects.toThrow('recompute worker closed');
  });
});
