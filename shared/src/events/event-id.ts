import { randomBytes } from 'node:crypto';

/**
 * Event ids are UUIDv7 (RFC 9562): a millisecond timestamp first, so ids sort by when they were made,
 * then a counter that keeps ids made in the same millisecond by this process in order, then random bits
 * so two processes never make the same id.
 */
export const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let lastMillis = -1;
let counter = 0;

/** A new event id; `nowMillis` is the system time (ids order events as made, whatever the domain clock says). */
export function newEventId(nowMillis: number = Date.now()): string {
  // A clock stepping back keeps the last timestamp, so ids stay increasing within the process.
  if (nowMillis > lastMillis) {
    lastMillis = nowMillis;
    counter = randomBytes(2).readUInt16BE(0) & 0x1ff;
  } else if (counter < 0xfff) {
    counter += 1;
  } else {
    lastMillis += 1;
    counter = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMillis, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
