import { ConfigError, DEFAULT_RATE_LIMITS, EnvReader, parseRateLimits, readRateLimits } from '../config';

describe('RATE_LIMITS', () => {
  it('reads a default and per-role limits, the burst one second of the rate unless given', () => {
    expect(parseRateLimits('default=20r/s,10c; BI_ANALYST=0.5r/s,2c ;AUDITOR=5r/s,3c,15b')).toEqual({
      default: { ratePerSecond: 20, burst: 20, concurrent: 10 },
      roles: { BI_ANALYST: { ratePerSecond: 0.5, burst: 1, concurrent: 2 }, AUDITOR: { ratePerSecond: 5, burst: 15, concurrent: 3 } },
    });
  });

  it('has limits when the variable is unset', () => {
    expect(readRateLimits(new EnvReader({}))).toEqual(parseRateLimits(DEFAULT_RATE_LIMITS));
    expect(readRateLimits(new EnvReader({})).default).toEqual({ ratePerSecond: 20, burst: 20, concurrent: 10 });
  });

  it.each([
    ['BI_ANALYST=5r/s,2c', /RATE_LIMITS needs a default entry/],
    ['default=20r/s', /RATE_LIMITS has a malformed entry "default=20r\/s"/],
    ['default=20/s,10c', /malformed entry "default=20\/s,10c"/],
    ['default=20r/s,10c;ANALYST=5r/s,2c', /RATE_LIMITS has an entry for "ANALYST", which is neither default nor a role/],
    ['default=20r/s,10c;default=5r/s,2c', /RATE_LIMITS names "default" twice/],
    ['default=0r/s,10c', /entry "default=0r\/s,10c": the rate must be above 0/],
    ['default=20r/s,0c', /entry "default=20r\/s,0c": concurrent requests must be 1 to 100000/],
    ['default=20r/s,10c,0b', /the burst must be 1 to 1000000/],
    ['default=20r/s,10c=3', /malformed entry/],
  ])('refuses %s, naming the variable and the entry', (spec, message) => {
    expect(() => readRateLimits(new EnvReader({ RATE_LIMITS: spec }))).toThrow(ConfigError);
    expect(() => readRateLimits(new EnvReader({ RATE_LIMITS: spec }))).toThrow(message);
  });
});
