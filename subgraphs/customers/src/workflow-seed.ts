/**
 * Seed rows of the customer-manager workflow's own tables (migration 003): the grade decisions behind the seeded
 * yearly certifications, and major customer events reported by the managers. Deterministic from the seed, like the
 * rest of seed.ts, which calls these.
 */
import { isoDate, sqlTimestamp } from '@icg/shared';
import { SeededRandom, type CustomerFact, type OrgFacts } from '@icg/synthetic';
import type { MajorCustomerEventKind } from './generated/schema-types';
import type { GradeHistoryRow } from './records';
import { MAJOR_EVENT_DESCRIPTIONS } from './seed-vocabulary';
import type { GradeChangeRow, MajorCustomerEventRow } from './workflow-records';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Each certification after a manager's first as the RECERTIFICATION that made it: from the previous year's grade,
 * approved at 09:00 Beijing time on its day by the service-centre manager of the approving branch.
 */
export function gradeChangeRows(history: readonly GradeHistoryRow[], org: OrgFacts): GradeChangeRow[] {
  const rows: GradeChangeRow[] = [];
  const byStaff = new Map<string, GradeHistoryRow[]>();
  for (const row of history) byStaff.set(String(row.staff_id), [...(byStaff.get(String(row.staff_id)) ?? []), row]);
  for (const [staffId, certifications] of byStaff) {
    const ordered = [...certifications].sort((a, b) => a.year - b.year);
    ordered.forEach((certification, index) => {
      const previous = ordered[index - 1];
      if (!previous) return;
      const approver = org.staffByRoleAndBranch('SERVICE_CENTER_MANAGER', Number(certification.approved_by_branch_id))[0];
      if (!approver) return;
      rows.push({
        id: Number(staffId) * 100 + index,
        staff_id: staffId,
        kind: 'RECERTIFICATION',
        from_grade: previous.grade,
        to_grade: certification.grade,
        certification_year: certification.year,
        approved_by_staff_id: approver.id,
        approved_by_level: certification.approved_by_level,
        approved_by_branch_id: certification.approved_by_branch_id,
        approved_at: sqlTimestamp(new Date(Date.parse(`${certification.approved_on}T00:00:00Z`) + HOUR_MS)),
      });
    });
  }
  return rows;
}

/** Organisations see more of them (ownership, litigation, losses) than people do. */
const EVENT_CHANCE = { ORGANISATION: 0.35, INDIVIDUAL: 0.12 } as const;

/**
 * For some managed customers, one or two major events of the last two years (after they became customers),
 * reported by their primary manager a few days later, never after `asOf`.
 */
export function majorEventRows(seed: number, asOf: Date, fact: CustomerFact): MajorCustomerEventRow[] {
  const random = SeededRandom.for(seed, 'crm-major-events', fact.id);
  if (fact.primaryManagerStaffId === null || !random.chance(EVENT_CHANCE[fact.kind])) return [];
  const since = Math.max(Date.parse(`${fact.customerSince}T00:00:00Z`), asOf.getTime() - 730 * DAY_MS);
  const latest = asOf.getTime() - 6 * DAY_MS;
  if (since >= latest) return [];
  const kinds = Object.keys(MAJOR_EVENT_DESCRIPTIONS) as MajorCustomerEventKind[];
  return Array.from({ length: random.chance(0.3) ? 2 : 1 }, (_, index) => {
    const kind = random.pick(kinds);
    const occurred = random.between(new Date(since), new Date(latest));
    const reported = new Date(occurred.getTime() + random.int(1, 5) * DAY_MS + random.int(1, 8) * HOUR_MS);
    return {
      id: fact.id * 10 + index + 1,
      customer_id: fact.id,
      kind,
      occurred_on: isoDate(occurred),
      description: random.pick(MAJOR_EVENT_DESCRIPTIONS[kind]),
      reported_by_staff_id: fact.primaryManagerStaffId!,
      reported_at: sqlTimestamp(reported),
    };
  });
}
