/**
 * Caller limits for a gateway run as several workers: one CallerLimiter in the primary decides for all of them, so a
 * caller whose connections land on different workers gets its limits once, not once per worker. A worker asks for
 * each admission over the IPC channel (tens of microseconds) and gives the slot back when the response closes; a
 * worker that dies has its slots given back by the primary.
 */
import { HttpError, STAFF_ROLES, type CallerLimitsConfig, type PrimaryChannel, type PrimaryServices, type StaffRole } from '@icg/shared';
import { CallerLimiter, type Admission, type CallerAdmitter, type ExceededLimit, type LimitedCaller } from './caller-limits';

const ADMIT_REQUEST = 'caller-limits/admit';
const RELEASE_NOTICE = 'caller-limits/release';
/** An admission is on every request's path: a primary that cannot answer within this is treated as down. */
const ADMIT_TIMEOUT_MS = 1_000;

type AdmissionAnswer = { admitted: true; ticket: number } | { admitted: false; limit: ExceededLimit; retryAfterSeconds: number };

function callerFrom(payload: unknown): LimitedCaller {
  const { staffId, role } = (payload ?? {}) as { staffId?: unknown; role?: unknown };
  if (typeof staffId !== 'string' || !(STAFF_ROLES as readonly string[]).includes(role as string)) {
    throw new Error('caller limits: an admission request without a staff id and a known role');
  }
  return { staffId, role: role as StaffRole };
}

/** The primary's side: the one limiter, and the slots each worker holds (tickets) until it gives them back. */
export function callerLimitsForWorkers(limits: CallerLimitsConfig, now?: () => number): PrimaryServices {
  const limiter = new CallerLimiter(limits, now);
  const held = new Map<number, Map<number, () => void>>();
  let nextTicket = 1;
  return {
    requests: {
      [ADMIT_REQUEST]: (payload, workerId): AdmissionAnswer => {
        const admission = limiter.admit(callerFrom(payload));
        if (!admission.admitted) return admission;
        const ticket = nextTicket++;
        let tickets = held.get(workerId);
        if (tickets === undefined) held.set(workerId, (tickets = new Map()));
        tickets.set(ticket, admission.release);
        return { admitted: true, ticket };
      },
    },
    notices: {
      [RELEASE_NOTICE]: (payload, workerId) => {
        const ticket = (payload as { ticket?: unknown } | null)?.ticket;
        const tickets = held.get(workerId);
        if (typeof ticket !== 'number' || tickets === undefined) return;
        tickets.get(ticket)?.();
        tickets.delete(ticket);
      },
    },
    workerGone: (workerId) => {
      for (const release of held.get(workerId)?.values() ?? []) release();
      held.delete(workerId);
    },
  };
}

/** A worker's side: admissions decided by the primary. */
export class ClusterCallerLimiter implements CallerAdmitter {
  constructor(private readonly channel: PrimaryChannel) {}

  async admit(caller: LimitedCaller): Promise<Admission> {
    let answer: AdmissionAnswer;
    try {
      answer = await this.channel.request<AdmissionAnswer>(ADMIT_REQUEST, { staffId: caller.staffId, role: caller.role }, ADMIT_TIMEOUT_MS);
    } catch {
      // Fail closed: a request the limits could not admit is not run.
      throw new HttpError(503, 'The gateway cannot admit requests right now; try again shortly', 'SERVICE_UNAVAILABLE', { 'retry-after': '1' });
    }
    if (!answer.admitted) return answer;
    const { ticket } = answer;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.channel.notify(RELEASE_NOTICE, { ticket });
      },
    };
  }
}
