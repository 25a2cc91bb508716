/**
 * The scheduled recompute is due an interval after the last full recompute, whoever ran it (the job itself before a
 * restart, or insights:refresh), on a seeded insights store (SQLite and MariaDB): a restart beside a fresh refresh does
 * not recompute every customer again. The runner's waiting is tested in shared/src/__tests__/scheduled-jobs.test.ts.
 */
import { openDatabase, SettableClock, type Knex } from '@icg/shared';
import { seedTestStore, type SeededStore } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { recomputeAll } from '../refresh';
import { insightsSeeder } from '../seed';
import { insightRules, insightsSubgraph, recomputeJob } from '../server';

const DAY_MS = 86_400_000;

describe.each(TEST_DIALECTS)('the insights recompute job on %s', (dialect) => {
  let store: SeededStore;
  let db: Knex;

  beforeAll(async () => {
    store = await seedTestStore({ manifest: insightsSubgraph, seeder: insightsSeeder, dialect, customers: 20 });
    db = openDatabase(store.databases.config, 'insights');
  });
  afterAll(async () => {
    await db?.destroy();
    await store?.databases.cleanup();
  });

  it('is due at once on a freshly seeded store, then a day after the last full recompute, whoever ran it', async () => {
    const job = recomputeJob(insightRules, DAY_MS / 1_000);
    const clock = new SettableClock('2026-11-02T02:00:00Z');
    // The seed's population figures are approximate: the first start recomputes them.
    expect(await job.dueInMs!({ db, clock })).toBeLessThanOrEqual(0);

    // A full recompute as insights:refresh runs it (its own transactions), as of now.
    const customers = await recomputeAll(
      db,
      insightRules,
      clock.now(),
      () => undefined,
      (body) => db.transaction((trx) => body(trx, () => undefined)),
    );
    expect(customers).toBe(20);
    expect(await job.dueInMs!({ db, clock })).toBe(DAY_MS);

    clock.set('2026-11-03T01:00:00Z');
    expect(await job.dueInMs!({ db, clock })).toBe(3_600_000);
    clock.set('2026-11-03T02:00:00Z');
    expect(await job.dueInMs!({ db, clock })).toBe(0);
  });
});
