import { HttpError, parseRateLimits, PrimaryUnavailableError, type PrimaryChannel, type PrimaryServices } from '@icg/shared';
import { ClusterCallerLimiter, callerLimitsForWorkers } from '../cluster-caller-limits';

/** Worker channels wired straight to the primary's services, as the IPC channel would (one per worker id). */
function channelTo(services: PrimaryServices, workerId: number): PrimaryChannel {
  return {
    request: async <TResult>(kind: string, payload: unknown) => (await services.requests![kind]!(payload, workerId)) as TResult,
    notify: (kind, payload) => services.notices![kind]!(payload, workerId),
  };
}

const agent = { staffId: '7', role: 'HOTLINE_AGENT' } as const;

describe('caller limits shared by the workers', () => {
  it('counts one caller once, whichever worker asks', async () => {
    const services = callerLimitsForWorkers(parseRateLimits('default=1000r/s,100c;HOTLINE_AGENT=1r/s,10c,3b'), () => 0);
    const first = new ClusterCallerLimiter(channelTo(services, 1));
    const second = new ClusterCallerLimiter(channelTo(services, 2));
    const admitted = [await first.admit(agent), await second.admit(agent), await first.admit(agent)];
    expect(admitted.every((admission) => admission.admitted)).toBe(true);
    expect(await second.admit(agent)).toEqual({ admitted: false, limit: 'rate', retryAfterSeconds: 1 });
  });

  it('gives a concurrency slot back when its worker releases it, or when the worker is gone', async () => {
    const services = callerLimitsForWorkers(parseRateLimits('default=1000r/s,2c'), () => 0);
    const worker = new ClusterCallerLimiter(channelTo(services, 1));
    const other = new ClusterCallerLimiter(channelTo(services, 2));
    const held = await worker.admit(agent);
    await other.admit(agent);
    expect(await other.admit(agent)).toMatchObject({ admitted: false, limit: 'concurrency' });
    if (held.admitted) held.release();
    const again = await other.admit(agent);
    expect(again.admitted).toBe(true);
    // Worker 2 now holds both slots and dies without releasing them.
    services.workerGone!(2);
    expect((await worker.admit(agent)).admitted).toBe(true);
  });

  it('refuses with 503 when the primary does not answer, running nothing', async () => {
    const silent: PrimaryChannel = {
      request: () => Promise.reject(new PrimaryUnavailableError('caller-limits/admit', 'no answer within 1000 ms')),
      notify: () => {},
    };
    const refusal = await new ClusterCallerLimiter(silent).admit(agent).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(HttpError);
    expect(refusal).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  });
});
