import { monthBounds } from '@icg/shared';
import { complaintAnalysisDefinition } from '../complaint-analysis';

describe('the complaint analysis', () => {
  it('reads a month as its first day, last day and the next month’s first, and refuses anything else naming the argument', () => {
    expect(monthBounds('2024-02')).toEqual({ first: '2024-02-01', last: '2024-02-29', next: '2024-03-01' });
    expect(monthBounds('2026-12')).toEqual({ first: '2026-12-01', last: '2026-12-31', next: '2027-01-01' });
    for (const bad of ['2026-13', '2026-1', '2026-00', '26-01', '2026-01-01', 202601, undefined]) expect(() => monthBounds(bad)).toThrow(/month/);
  });

  it('judges overdue at the cut-off it is given, to the second', () => {
    const overdue = complaintAnalysisDefinition('2026-12-01 00:00:00').measures.overdue!.sql('sqlite');
    expect(overdue).toContain("complaints.due_date < '2026-12-01'");
    expect(overdue).toContain("complaints.feedback_at >= '2026-12-01 00:00:00'");
  });

  it('looks back twelve months for a repeat in each dialect', () => {
    const definition = complaintAnalysisDefinition('2026-12-01 00:00:00');
    expect(definition.measures.repeats!.sql('sqlite')).toContain("datetime(complaints.accepted_at, '-12 months')");
    expect(definition.measures.repeats!.sql('mysql')).toContain('date_sub(complaints.accepted_at, interval 12 month)');
  });
});
