import { rankAmongLeaders, UnitLeaderBoard } from '../unit-leaders';

describe('UnitLeaderBoard: the top parties of each unit in one pass', () => {
  test('keeps the largest `capacity` parties per unit, largest first, whatever the order they come in', () => {
    const board = new UnitLeaderBoard(3);
    for (const [party, fen] of [
      ['a', 100],
      ['b', 500],
      ['c', 300],
      ['d', 400],
      ['e', 200],
    ] as const)
      board.add('/1/', party, fen);
    board.add('/1/3/', 'a', 100);
    expect(board.leadersOf('/1/')).toEqual({
      capacity: 3,
      parties: [
        { party: 'b', writtenPremium12m: '5.00' },
        { party: 'd', writtenPremium12m: '4.00' },
        { party: 'c', writtenPremium12m: '3.00' },
      ],
    });
    expect(board.leadersOf('/1/3/').parties).toEqual([{ party: 'a', writtenPremium12m: '1.00' }]);
    expect(board.leadersOf('/1/9/')).toEqual({ capacity: 3, parties: [] });
    expect(board.unitPaths().sort()).toEqual(['/1/', '/1/3/']);
  });

  test('a corporate group seen through several members counts once; nothing written is no party', () => {
    const board = new UnitLeaderBoard(3);
    board.add('/1/', 'G7', 900);
    board.add('/1/', 'G7', 900);
    board.add('/1/', 'x', 0);
    expect(board.leadersOf('/1/').parties).toEqual([{ party: 'G7', writtenPremium12m: '9.00' }]);
  });

  test('ties at the cut are decided by the party key, so the list does not depend on the order of the pass', () => {
    const forwards = new UnitLeaderBoard(2);
    const backwards = new UnitLeaderBoard(2);
    const parties = ['p1', 'p2', 'p3'];
    for (const party of parties) forwards.add('/1/', party, 100);
    for (const party of [...parties].reverse()) backwards.add('/1/', party, 100);
    expect(forwards.leadersOf('/1/')).toEqual(backwards.leadersOf('/1/'));
    expect(forwards.leadersOf('/1/').parties.map((leader) => leader.party)).toEqual(['p1', 'p2']);
  });

  test('seeded with the leaders of earlier batches, a batch adds to them', () => {
    const first = new UnitLeaderBoard(2);
    first.add('/1/', 'a', 300);
    first.add('/1/', 'b', 100);
    const second = new UnitLeaderBoard(2);
    second.seed('/1/', first.leadersOf('/1/'));
    second.add('/1/', 'c', 200);
    expect(second.leadersOf('/1/').parties.map((leader) => leader.party)).toEqual(['a', 'c']);
  });
});

describe('rankAmongLeaders: 1 + the other parties with strictly more premium', () => {
  const leaders = {
    capacity: 3,
    parties: [
      { party: 'a', writtenPremium12m: '5.00' },
      { party: 'b', writtenPremium12m: '4.00' },
      { party: 'c', writtenPremium12m: '4.00' },
    ],
  };

  test('ranks within the list; tied parties share the rank', () => {
    expect(rankAmongLeaders(leaders, 'a', 500)).toBe(1);
    expect(rankAmongLeaders(leaders, 'b', 400)).toBe(2);
    expect(rankAmongLeaders(leaders, 'c', 400)).toBe(2);
    expect(rankAmongLeaders(leaders, 'z', 450)).toBe(2);
  });

  test("the party's own entry (its premium at the last recompute) is not ahead of it", () => {
    expect(rankAmongLeaders(leaders, 'a', 100)).toBe(3);
  });

  test('behind every party of a full list: not known, so not ranked; no premium: no rank', () => {
    expect(rankAmongLeaders(leaders, 'z', 399)).toBeNull();
    expect(rankAmongLeaders({ capacity: 5, parties: leaders.parties }, 'z', 399)).toBe(4);
    expect(rankAmongLeaders(leaders, 'a', 0)).toBeNull();
  });
});
