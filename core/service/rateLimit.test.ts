import { TokenBucket } from './rateLimit.js';

describe('token bucket', () => {
  test('default: a burst passes, the next call is refused as RESOURCE_EXHAUSTED, tokens come back with time', () => {
    let now = 0;
    const b = new TokenBucket({ jobsPerSecond: 10, burst: 3 }, () => now);
    for (let i = 0; i < 3; i++) b.take('Decrypt');
    expect(() => b.take('Decrypt')).toThrow(expect.objectContaining({ code: 'RESOURCE_EXHAUSTED' }));
    now += 100; // one token per 100 ms
    expect(() => b.take('Decrypt')).not.toThrow();
    expect(() => b.take('Decrypt')).toThrow(/retry in \d+ ms/);
    now += 10_000; // never more than the burst
    for (let i = 0; i < 3; i++) b.take('Decrypt');
    expect(() => b.take('Decrypt')).toThrow(expect.objectContaining({ code: 'RESOURCE_EXHAUSTED' }));
  });
});
