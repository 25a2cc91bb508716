import { CircuitBreaker, type CircuitState } from '../circuit-breaker';

function breakerAt(start = 1_000) {
  let time = start;
  const changes: CircuitState[] = [];
  const breaker = new CircuitBreaker({
    failureRateThreshold: 0.5,
    minimumCalls: 4,
    windowMs: 1_000,
    openMs: 500,
    now: () => time,
    onStateChange: (state) => changes.push(state),
  });
  return {
    breaker,
    changes,
    advance(ms: number) {
      time += ms;
    },
    call(succeeded: boolean): boolean {
      const allowed = breaker.tryAcquire();
      if (allowed) breaker.record(succeeded);
      return allowed;
    },
  };
}

describe('CircuitBreaker', () => {
  it('stays closed below the minimum number of calls, however many of them fail', () => {
    const { breaker, call } = breakerAt();
    for (let i = 0; i < 3; i += 1) expect(call(false)).toBe(true);
    expect(breaker.state).toBe('closed');
  });

  it('stays closed while fewer than the threshold share of calls fail', () => {
    const { breaker, call } = breakerAt();
    // 2 of every 3 calls succeed: a third fail, under the 50 % threshold.
    for (let i = 0; i < 30; i += 1) expect(call(i % 3 !== 2)).toBe(true);
    expect(breaker.state).toBe('closed');
  });

  it('opens when most recent calls fail, refuses calls while open, then lets one probe through', () => {
    const { breaker, changes, call, advance } = breakerAt();
    call(true);
    call(false);
    call(false);
    expect(breaker.state).toBe('closed');
    call(false); // 3 of 4 failed
    expect(breaker.state).toBe('open');
    expect(call(true)).toBe(false);
    advance(499);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.tryAcquire()).toBe(true); // the probe
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(false); // only one probe at a time
    breaker.record(true);
    expect(breaker.state).toBe('closed');
    expect(call(true)).toBe(true);
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens again for another period when the probe fails', () => {
    const { breaker, call, advance } = breakerAt();
    for (let i = 0; i < 4; i += 1) call(false);
    advance(500);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.record(false);
    expect(breaker.state).toBe('open');
    advance(499);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('forgets failures older than the window', () => {
    const { breaker, call, advance } = breakerAt();
    call(false);
    call(false);
    call(false);
    advance(1_100);
    call(false); // the three earlier failures are out of the window: 1 call
    expect(breaker.state).toBe('closed');
    call(true);
    call(true);
    call(false); // 2 of 4 in the window: at the threshold
    expect(breaker.state).toBe('open');
  });

  it('ignores the outcome of calls that finish after the circuit opened', () => {
    const { breaker, call } = breakerAt();
    const slow = breaker.tryAcquire();
    expect(slow).toBe(true);
    for (let i = 0; i < 4; i += 1) call(false);
    expect(breaker.state).toBe('open');
    breaker.record(true); // the slow call, finishing late
    expect(breaker.state).toBe('open');
  });

  it('refuses nonsensical settings', () => {
    expect(() => new CircuitBreaker({ failureRateThreshold: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ minimumCalls: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ openMs: 0 })).toThrow(RangeError);
  });
});
