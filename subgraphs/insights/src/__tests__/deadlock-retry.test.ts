/**
 * A recompute chunk's transaction runs beside another chunk's and beside the events' (refresh.ts): InnoDB may end one
 * as a deadlock's victim, which is then tried again whole, a bounded number of times; other failures are not retried.
 */
import { triedAgainOnDeadlock } from '../refresh';

const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { code: 'ER_LOCK_DEADLOCK' });

describe('triedAgainOnDeadlock', () => {
  it('tries a deadlock victim again until it commits', async () => {
    let tries = 0;
    const result = await triedAgainOnDeadlock(async () => {
      tries++;
      if (tries < 3) throw deadlock();
      return 'committed';
    });
    expect({ result, tries }).toEqual({ result: 'committed', tries: 3 });
  });

  it('gives up after three tries with the last deadlock', async () => {
    let tries = 0;
    await expect(
      triedAgainOnDeadlock(async () => {
        tries++;
        throw deadlock();
      }),
    ).rejects.toMatchObject({ code: 'ER_LOCK_DEADLOCK' });
    expect(tries).toBe(3);
  });

  it('does not try again after any other failure', async () => {
    let tries = 0;
    await expect(
      triedAgainOnDeadlock(async () => {
        tries++;
        throw Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY' });
      }),
    ).rejects.toThrow('Duplicate entry');
    expect(tries).toBe(1);
  });
});
