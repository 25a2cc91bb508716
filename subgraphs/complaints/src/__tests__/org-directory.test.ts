import { ancestorAt, handlingBranch, levelAbove, levelOfPath } from '../org-directory';

describe('the org tree as the complaint register reads it', () => {
  it('tells the level of a branch from its path', () => {
    expect(levelOfPath('/1/')).toBe('HEAD_OFFICE');
    expect(levelOfPath('/1/3/')).toBe('PROVINCE');
    expect(levelOfPath('/1/3/9/')).toBe('CITY');
    expect(() => levelOfPath('/1/3/9/40/')).toThrow(/three-level/);
  });

  it('escalates city → province → head office, and no further', () => {
    expect(levelAbove('CITY')).toBe('PROVINCE');
    expect(levelAbove('PROVINCE')).toBe('HEAD_OFFICE');
    expect(levelAbove('HEAD_OFFICE')).toBeNull();
  });

  it('finds the ancestor at a level on the branch’s own lineage', () => {
    expect(ancestorAt('/1/3/9/', 'CITY')).toEqual({ id: '9', path: '/1/3/9/' });
    expect(ancestorAt('/1/3/9/', 'PROVINCE')).toEqual({ id: '3', path: '/1/3/' });
    expect(ancestorAt('/1/3/9/', 'HEAD_OFFICE')).toEqual({ id: '1', path: '/1/' });
    // A province has no city below it on its lineage: it stays itself.
    expect(ancestorAt('/1/3/', 'CITY')).toEqual({ id: '3', path: '/1/3/' });
  });

  it('hands a complaint to the accountable unit, or the branch it was escalated to, never below the unit’s level', () => {
    expect(handlingBranch('/1/3/9/', 'CITY')).toEqual({ id: '9', path: '/1/3/9/', level: 'CITY' });
    expect(handlingBranch('/1/3/9/', 'PROVINCE')).toEqual({ id: '3', path: '/1/3/', level: 'PROVINCE' });
    expect(handlingBranch('/1/3/', 'CITY')).toEqual({ id: '3', path: '/1/3/', level: 'PROVINCE' });
    expect(handlingBranch('/1/3/9/', 'HEAD_OFFICE')).toEqual({ id: '1', path: '/1/', level: 'HEAD_OFFICE' });
  });
});
