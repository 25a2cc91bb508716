/**
 * Nothing lost across systems (issue 10): events between subgraphs, through real subgraph servers over
 * HTTP on free loopback ports, on SQLite and MariaDB, delivered directly over HTTP and through NATS
 * JetStream. The probe subgraphs (tools/src/event-probe) stand in for the workflows: the sender records
 * numbered notes, each with its event in the same transaction; the receiver stores what it receives.
 * What a user checks is the receiver's own answer: every note, exactly once, in order.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { headers } from 'nats';
import { PROBE_EVENT, PROBE_RECEIVER, PROBE_SENDER } from '../tools/src/event-probe/event-probe';
import { DELIVERY_TABLE, OUTBOX_TABLE, SERVICE_TOKEN_HEADER, createServiceTokenSigner, newEventId, type RunningSubgraph } from '@icg/shared';
import { assertionHeaders } from './support/test-security';
import { createProbeWorld, DIALECTS_UNDER_TEST, receivedNotes, recordNotes, TRANSPORTS_UNDER_TEST, waitUntil, type ProbeWorld } from './support/event-probes';

const oneToN = (n: number) => Array.from({ length: n }, (_, index) => index + 1);

/** The value of one sample of the receiver's metrics, e.g. events received as duplicates. */
async function metricValue(running: RunningSubgraph, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${running.url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && wanted.every((part) => candidate.includes(part)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe.each(DIALECTS_UNDER_TEST.flatMap((dialect) => TRANSPORTS_UNDER_TEST.map((transport) => [dialect, transport] as const)))(
  'events on %s over %s',
  (dialect, transport) => {
    let world: ProbeWorld;

    beforeAll(async () => {
      world = await createProbeWorld(dialect, transport);
    });
    afterAll(async () => {
      await world?.close();
    });

    it('reach a receiver that was down while they were produced: every note exactly once, in order', async () => {
      const sender = await world.startSender();
      const recorded = await recordNotes(sender.url, 'while-down', 1, 5);
      expect(recorded.errors).toBeUndefined();
      expect(recorded.data?.recordProbeNotes).toBe(5);
      if (transport === 'nats') {
        // JetStream took them: they wait in the stream for the receiver's durable consumer.
        expect(
          await waitUntil(
            () => sender.events.relay.pendingCount(),
            (pending) => pending === 0,
          ),
        ).toBe(0);
      } else {
        // The receiver is down: the relay keeps trying and the events wait in the sender's outbox.
        const failing = await waitUntil(
          () => metricValue(sender, 'icg_event_delivery_failures_total', { consumer: PROBE_RECEIVER, outcome: 'failed' }),
          (failures) => failures >= 2,
        );
        expect(failing).toBeGreaterThanOrEqual(2);
        expect(await sender.events.relay.pendingCount()).toBe(5);
      }
      const receiver = await world.startReceiver();
      const notes = await waitUntil(
        () => receivedNotes(receiver.url, 'while-down'),
        (seen) => seen.length >= 5,
      );
      expect(notes).toEqual(oneToN(5));
      expect(
        await waitUntil(
          () => sender.events.relay.pendingCount(),
          (pending) => pending === 0,
        ),
      ).toBe(0);
      // Recording more afterwards goes straight through, after the first five.
      await recordNotes(sender.url, 'while-down', 6, 2);
      expect(
        await waitUntil(
          () => receivedNotes(receiver.url, 'while-down'),
          (seen) => seen.length >= 7,
        ),
      ).toEqual(oneToN(7));
      await sender.close();
      await receiver.close();
    });

    it('survive the sender being killed between its commit and the delivery', async () => {
      const receiver = await world.startReceiver();
      const child = await world.spawnSender(['--crash-after-commit']);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      // The process dies (SIGKILL) right after committing the first note with its event, before its relay runs.
      await expect(recordNotes(`http://127.0.0.1:${world.senderPort}`, 'killed', 1, 1)).rejects.toThrow();
      expect(await exited).toBe('SIGKILL');
      expect(await receivedNotes(receiver.url, 'killed')).toEqual([]);
      // Started again over the same store, its relay finds the committed event and delivers it once.
      const sender = await world.startSender();
      expect(
        await waitUntil(
          () => receivedNotes(receiver.url, 'killed'),
          (seen) => seen.length >= 1,
        ),
      ).toEqual([1]);
      expect(
        await waitUntil(
          () => sender.events.relay.pendingCount(),
          (pending) => pending === 0,
        ),
      ).toBe(0);
      await sender.close();
      await receiver.close();
    });

    it('apply a duplicate delivery of an event once: the receiver answers it and changes nothing', async () => {
      const receiver = await world.startReceiver();
      const sender = await world.startSender();
      await recordNotes(sender.url, 'twice', 1, 3);
      expect(
        await waitUntil(
          () => receivedNotes(receiver.url, 'twice'),
          (seen) => seen.length >= 3,
        ),
      ).toEqual([1, 2, 3]);
      expect(
        await waitUntil(
          () => sender.events.relay.pendingCount(),
          (pending) => pending === 0,
        ),
      ).toBe(0);
      const duplicatesBefore = await metricValue(receiver, 'icg_events_received_total', { type: PROBE_EVENT, outcome: 'duplicate' });
      // The relay sends all three again, as after a crash between the receiver's answer and the sender's bookkeeping.
      const sequences = (await sender.db(OUTBOX_TABLE).where({ aggregate: 'ProbeNote:twice' }).select('sequence')).map(
        (row: { sequence: number }) => row.sequence,
      );
      await sender.db(DELIVERY_TABLE).whereIn('sequence', sequences).update({ state: 'PENDING', next_attempt_at_ms: 0 });
      sender.events.relay.wake();
      expect(
        await waitUntil(
          () => sender.events.relay.pendingCount(),
          (pending) => pending === 0,
        ),
      ).toBe(0);
      if (transport === 'nats') {
        // JetStream drops a repeated message id; a copy published under another id (after the stream's window) reaches the receiver.
        const connection = await world.natsConnection();
        const [row] = (await sender.db(OUTBOX_TABLE).where({ sequence: sequences[0] }).select('*')) as Record<string, string | number>[];
        const envelope = {
          id: row!['event_id'],
          type: row!['type'],
          producer: PROBE_SENDER,
          aggregate: row!['aggregate'],
          sequence: Number(row!['sequence']),
          occurredAt: row!['occurred_at'],
          payload: JSON.parse(String(row!['payload'])) as unknown,
        };
        const body = JSON.stringify(envelope);
        const signer = createServiceTokenSigner(PROBE_SENDER, senderKey(world));
        const copy = headers();
        copy.set(SERVICE_TOKEN_HEADER, await signer.sign({ receiver: PROBE_RECEIVER, eventId: String(envelope.id), body, ttlSeconds: 3_600 }));
        await connection
          .jetstream()
          .publish(`${world.nats!.subjectPrefix}.${PROBE_RECEIVER}.${PROBE_EVENT}`, Buffer.from(body), { headers: copy, msgID: newEventId() });
      }
      const duplicatesAfter = await waitUntil(
        () => metricValue(receiver, 'icg_events_received_total', { type: PROBE_EVENT, outcome: 'duplicate' }),
        (seen) => seen >= duplicatesBefore + 1,
      );
      expect(duplicatesAfter).toBeGreaterThanOrEqual(duplicatesBefore + 1);
      expect(await receivedNotes(receiver.url, 'twice')).toEqual([1, 2, 3]);
      await sender.close();
      await receiver.close();
    });
  },
);

/** The embedded default keeps each subgraph's key pair under DATA_DIR/service-keys. */
function senderKey(world: ProbeWorld): string {
  return readFileSync(join(world.database.dataDir, 'service-keys', `${PROBE_SENDER}.ed25519.pem`), 'utf8');
}

/** An envelope of the probe type as the sender would send it, under a fresh id. */
function probeEnvelope(key: string, note: unknown, sequence = 1): { id: string; body: string } {
  const id = newEventId();
  const envelope = {
    id,
    type: PROBE_EVENT,
    producer: PROBE_SENDER,
    aggregate: `ProbeNote:${key}`,
    sequence,
    occurredAt: new Date().toISOString(),
    payload: { key, note },
  };
  return { id, body: JSON.stringify(envelope) };
}

async function postEvent(receiver: RunningSubgraph, body: string, requestHeaders: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${receiver.url}/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...requestHeaders }, body });
  return { status: response.status, body: (await response.json()) as unknown };
}

const strangerKey = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe.each(DIALECTS_UNDER_TEST)('the /events endpoint on %s', (dialect) => {
  let world: ProbeWorld;
  let receiver: RunningSubgraph;
  let senderSigner: ReturnType<typeof createServiceTokenSigner>;

  beforeAll(async () => {
    world = await createProbeWorld(dialect, 'http');
    receiver = await world.startReceiver();
    // The sender's key pair is made when it first starts (the embedded default keeps it under DATA_DIR).
    const sender = await world.startSender();
    await sender.close();
    senderSigner = createServiceTokenSigner(PROBE_SENDER, senderKey(world));
  });
  afterAll(async () => {
    await world?.close();
  });

  const signed = async (signer: ReturnType<typeof createServiceTokenSigner>, event: { id: string; body: string }, receiverName = PROBE_RECEIVER) => ({
    [SERVICE_TOKEN_HEADER]: await signer.sign({ receiver: receiverName, eventId: event.id, body: event.body }),
  });

  it("applies an event signed with the producer's own key, once", async () => {
    const event = probeEnvelope('endpoint', 1);
    expect(await postEvent(receiver, event.body, await signed(senderSigner, event))).toEqual({ status: 200, body: { status: 'applied' } });
    expect(await postEvent(receiver, event.body, await signed(senderSigner, event))).toEqual({ status: 200, body: { status: 'duplicate' } });
    expect(await receivedNotes(receiver.url, 'endpoint')).toEqual([1]);
  });

  it('refuses a forged token (a key it does not know, claiming to be the producer)', async () => {
    const event = probeEnvelope('forged', 1);
    const forged = await postEvent(receiver, event.body, await signed(createServiceTokenSigner(PROBE_SENDER, strangerKey()), event));
    expect(forged.status).toBe(401);
    expect(await receivedNotes(receiver.url, 'forged')).toEqual([]);
  });

  it('refuses a known subgraph sending an event type it does not produce', async () => {
    const event = probeEnvelope('wrong-sender', 1);
    // probe-receiver's own key is known here (it is a subgraph of this data folder), but it does not produce the type.
    const ownKey = readFileSync(join(world.database.dataDir, 'service-keys', `${PROBE_RECEIVER}.ed25519.pem`), 'utf8');
    const wrongSender = await postEvent(receiver, event.body, await signed(createServiceTokenSigner(PROBE_RECEIVER, ownKey), event));
    expect(wrongSender).toEqual({
      status: 403,
      body: { error: { code: 'FORBIDDEN', message: `${PROBE_RECEIVER} may not send ${PROBE_EVENT} to ${PROBE_RECEIVER}` } },
    });
    expect(await receivedNotes(receiver.url, 'wrong-sender')).toEqual([]);
  });

  it('refuses a token signed for another receiver, another body or another event', async () => {
    const event = probeEnvelope('replayed', 1);
    expect((await postEvent(receiver, event.body, await signed(senderSigner, event, 'customers'))).status).toBe(401);
    const other = probeEnvelope('replayed', 2);
    // A genuine token for one event, sent with another body.
    expect((await postEvent(receiver, other.body, await signed(senderSigner, event))).status).toBe(401);
    // Signed for this body but naming another event id.
    const mismatched = { [SERVICE_TOKEN_HEADER]: await senderSigner.sign({ receiver: PROBE_RECEIVER, eventId: newEventId(), body: event.body }) };
    expect((await postEvent(receiver, event.body, mismatched)).status).toBe(401);
    expect(await receivedNotes(receiver.url, 'replayed')).toEqual([]);
  });

  it("refuses the gateway's identity assertion on /events, in either header", async () => {
    const event = probeEnvelope('gateway', 1);
    const assertion = await assertionHeaders(PROBE_RECEIVER, event.body);
    const asAssertion = await postEvent(receiver, event.body, assertion);
    expect(asAssertion).toEqual({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'Missing service token' } } });
    const asServiceToken = await postEvent(receiver, event.body, { [SERVICE_TOKEN_HEADER]: Object.values(assertion)[0]! });
    expect(asServiceToken.status).toBe(401);
    expect(await receivedNotes(receiver.url, 'gateway')).toEqual([]);
  });

  it('refuses a service token on /graphql: only the gateway speaks for a caller there', async () => {
    const body = JSON.stringify({ query: '{ probeReceived(key: "endpoint") }', variables: {} });
    const token = await senderSigner.sign({ receiver: PROBE_RECEIVER, eventId: newEventId(), body });
    const response = await fetch(`${receiver.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: token },
      body,
    });
    expect(response.status).toBe(401);
  });

  it('refuses for good, and never applies, an event whose payload does not check', async () => {
    const event = probeEnvelope('bad-payload', 'not a number');
    const refused = await postEvent(receiver, event.body, await signed(senderSigner, event));
    expect(refused).toEqual({
      status: 422,
      body: { error: { code: 'EVENT_REJECTED', field: 'payload.note', reason: 'must be a whole number from 0 to 1000000000' } },
    });
    const extraField = probeEnvelope('bad-payload', 1);
    const withName = JSON.stringify({
      ...(JSON.parse(extraField.body) as Record<string, unknown>),
      payload: { key: 'bad-payload', note: 1, name: 'Zhang San' },
    });
    const smuggled = await postEvent(receiver, withName, await signed(senderSigner, { id: extraField.id, body: withName }));
    expect(smuggled).toEqual({ status: 422, body: { error: { code: 'EVENT_REJECTED', field: 'payload.name', reason: 'is not a field of this payload' } } });
    expect(await receivedNotes(receiver.url, 'bad-payload')).toEqual([]);
  });
});

describe.each(DIALECTS_UNDER_TEST.filter(() => TRANSPORTS_UNDER_TEST.includes('nats')))('JetStream on %s', (dialect) => {
  let world: ProbeWorld;

  beforeAll(async () => {
    world = await createProbeWorld(dialect, 'nats');
  });
  afterAll(async () => {
    await world?.close();
  });

  it('terminates a forged message without applying it, and the messages after it still arrive', async () => {
    const receiver = await world.startReceiver();
    const sender = await world.startSender();
    await sender.close();
    const event = probeEnvelope('forged-nats', 99);
    const forged = headers();
    forged.set(
      SERVICE_TOKEN_HEADER,
      await createServiceTokenSigner(PROBE_SENDER, strangerKey()).sign({ receiver: PROBE_RECEIVER, eventId: event.id, body: event.body, ttlSeconds: 3_600 }),
    );
    const connection = await world.natsConnection();
    await connection
      .jetstream()
      .publish(`${world.nats!.subjectPrefix}.${PROBE_RECEIVER}.${PROBE_EVENT}`, Buffer.from(event.body), { headers: forged, msgID: event.id });
    const restarted = await world.startSender();
    await recordNotes(restarted.url, 'forged-nats', 1, 2);
    expect(
      await waitUntil(
        () => receivedNotes(receiver.url, 'forged-nats'),
        (seen) => seen.length >= 2,
      ),
    ).toEqual([1, 2]);
    expect(await metricValue(receiver, 'icg_events_received_total', { type: 'unknown', outcome: 'unauthenticated' })).toBe(1);
    await restarted.close();
    await receiver.close();
  });
});
