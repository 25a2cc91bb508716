import { parseRateLimits } from '@icg/shared';
import { CallerLimiter } from '../caller-limits';

/** A limiter on a clock the test moves. */
function limiterAt(spec: string): { limiter: CallerLimiter; advance: (ms: number) => void } {
  let now = 0;
  return { limiter: new CallerLimiter(parseRateLimits(spec), () => now), advance: (ms) => (now += ms) };
}

describe('CallerLimiter', () => {
  it('refills the rate continuously and says when the next token comes', () => {
    const { limiter, advance } = limiterAt('default=2r/s,10c,2b');
    const caller = { staffId: '7', role: 'OPERATOR' } as const;
    expect(limiter.admit(caller).admitted).toBe(true);
    expect(limiter.admit(caller).admitted).toBe(true);
    expect(limiter.admit(caller)).toEqual({ admitted: false, limit: 'rate', retryAfterSeconds: 1 });
    advance(500);
    expect(limiter.admit(caller).admitted).toBe(true);
  });

  it('applies the limit of the role, per staff id', () => {
    const { limiter } = limiterAt('default=100r/s,5c;BI_ANALYST=100r/s,1c');
    expect(limiter.admit({ staffId: '1', role: 'BI_ANALYST' }).admitted).toBe(true);
    expect(limiter.admit({ staffId: '1', role: 'BI_ANALYST' })).toMatchObject({ admitted: false, limit: 'concurrency' });
    expect(limiter.admit({ staffId: '2', role: 'BI_ANALYST' }).admitted).toBe(true);
    expect(limiter.admit({ staffId: '3', role: 'OPERATOR' }).admitted).toBe(true);
    expect(limiter.admit({ staffId: '3', role: 'OPERATOR' }).admitted).toBe(true);
  });

  it('forgets idle callers, so memory follows the active ones', () => {
    const { limiter, advance } = limiterAt('default=10r/s,5c');
    const busy = limiter.admit({ staffId: 'busy', role: 'OPERATOR' });
    for (let index = 0; index < 1_000; index++) {
      const admission = limiter.admit({ staffId: `caller-${index}`, role: 'OPERATOR' });
      if (admission.admitted) admission.release();
    }
    expect(limiter.trackedCallers).toBe(1_001);
    advance(10_000);
    limiter.admit({ staffId: 'late', role: 'OPERATOR' });
    // The caller with a request still in flight is kept, with its slot taken.
    expect(limiter.trackedCallers).toBe(2);
    expect(busy.admitted).toBe(true);
  });
});
