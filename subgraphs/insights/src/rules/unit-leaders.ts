/**
 * The largest parties of an org unit by the large rule's 12-month written premium, for its top-N clause (DOMAIN.md
 * section 5: "top 50 in scope"). A party is a customer, or a corporate group counted once over its members. Ranks
 * move with every other party's premium, so they are not kept per customer: each unit keeps its leaders (the top
 * `capacity` parties, computed over the whole population at a full recompute or seed), and a customer's rank is read
 * from them, against the customer's own premium as it stands.
 */
import { fenToYuan, toFen, type Fen } from '../metrics/money';
import type { MoneyAmount } from './customer-figures';

export interface UnitLeader {
  /** The customer id, or the corporate group's key. */
  readonly party: string;
  readonly writtenPremium12m: MoneyAmount;
}

export interface UnitLeaders {
  /** How many parties the list was cut to: a full list says nothing of the parties below it. */
  readonly capacity: number;
  /** Largest first; ties in party order. */
  readonly parties: readonly UnitLeader[];
}

/**
 * A party's rank among the unit's parties: 1 + the number of other parties with strictly more premium (tied parties
 * share a rank). Null when the party has no premium (nothing is no rank) or when the leaders cannot tell: every one of
 * a full list is ahead of it.
 */
export function rankAmongLeaders(leaders: UnitLeaders, party: string, premiumFen: Fen): number | null {
  if (premiumFen <= 0) return null;
  const fen = leaderFen(leaders);
  let ahead = 0;
  for (let index = 0; index < fen.length; index++) if (fen[index]! > premiumFen && leaders.parties[index]!.party !== party) ahead++;
  return ahead < leaders.capacity ? ahead + 1 : null;
}

/**
 * The leaders' premiums in fen, parsed once per list: a full recompute ranks every customer against the same lists, one
 * per unit on its branch path, and parsing each leader's amount every time was most of the recompute's money parsing.
 */
const leaderFenCache = new WeakMap<UnitLeaders, readonly Fen[]>();
function leaderFen(leaders: UnitLeaders): readonly Fen[] {
  let fen = leaderFenCache.get(leaders);
  if (fen === undefined) {
    fen = leaders.parties.map((leader) => toFen(leader.writtenPremium12m, 'leaders.writtenPremium12m'));
    leaderFenCache.set(leaders, fen);
  }
  return fen;
}

/** Collects the top `capacity` parties of every unit in one pass over the population (memory: units × capacity). */
export class UnitLeaderBoard {
  private readonly units = new Map<string, { party: string; fen: Fen }[]>();

  constructor(private readonly capacity: number) {}

  /** Starts from leaders already kept (a seed batch adds to the batches before it). */
  seed(unit: string, leaders: UnitLeaders): void {
    for (const leader of leaders.parties) this.add(unit, leader.party, toFen(leader.writtenPremium12m, 'leaders.writtenPremium12m'));
  }

  /** One party's premium in `unit`; a party seen again (another member of the same group) is not counted twice. */
  add(unit: string, party: string, fen: Fen): void {
    if (fen <= 0 || this.capacity === 0) return;
    let list = this.units.get(unit);
    if (list === undefined) this.units.set(unit, (list = []));
    if (list.length >= this.capacity && !ahead({ party, fen }, list[list.length - 1]!)) return;
    if (list.some((entry) => entry.party === party)) return;
    const at = list.findIndex((entry) => ahead({ party, fen }, entry));
    list.splice(at === -1 ? list.length : at, 0, { party, fen });
    if (list.length > this.capacity) list.pop();
  }

  leadersOf(unit: string): UnitLeaders {
    return {
      capacity: this.capacity,
      parties: (this.units.get(unit) ?? []).map((entry) => ({ party: entry.party, writtenPremium12m: fenToYuan(entry.fen) })),
    };
  }

  /** Every unit with at least one party. */
  unitPaths(): string[] {
    return [...this.units.keys()];
  }
}

/** More premium first; between equals, the lower party key (so the cut at `capacity` does not depend on order). */
function ahead(a: { party: string; fen: Fen }, b: { party: string; fen: Fen }): boolean {
  return a.fen > b.fen || (a.fen === b.fen && a.party < b.party);
}
