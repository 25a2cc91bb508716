import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ephemeralLowPort, freePort, portSlice } from '../free-port';

describe('freePort', () => {
  it('gives each jest worker its own ports, all below the kernel ephemeral range', () => {
    const slices = [1, 2, 3, 16].map((worker) => portSlice(worker, 32_768)!);
    for (const slice of slices) expect(slice.first + slice.size).toBeLessThanOrEqual(32_768);
    for (let i = 1; i < slices.length; i++) expect(slices[i]!.first).toBeGreaterThanOrEqual(slices[i - 1]!.first + slices[i - 1]!.size);
    // No room below a range that starts low: the kernel picks instead.
    expect(portSlice(1, 10_100)).toBeUndefined();
  });

  it('reads the low end of the ephemeral range, and falls back to the default when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'icg-port-range-'));
    try {
      writeFileSync(join(dir, 'range'), '40000\t60999\n');
      expect(ephemeralLowPort(join(dir, 'range'))).toBe(40_000);
      expect(ephemeralLowPort(join(dir, 'absent'))).toBe(32_768);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands out distinct ports this worker can listen on, skipping one that is taken', async () => {
    const slice = portSlice(Number(process.env['JEST_WORKER_ID']))!;
    const first = await freePort();
    expect(first).toBeGreaterThanOrEqual(slice.first);
    expect(first).toBeLessThan(slice.first + slice.size);
    // The next port in turn is held by someone else: it is skipped.
    const holder = createServer();
    const held = first + 1 < slice.first + slice.size ? first + 1 : slice.first;
    await new Promise<void>((resolve) => holder.listen(held, '127.0.0.1', resolve));
    try {
      const second = await freePort();
      expect(second).not.toBe(first);
      expect(second).not.toBe(held);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(second, '127.0.0.1', resolve);
      });
      await new Promise((resolve) => server.close(resolve));
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
