import { loadAccessPolicy, type Caller, type FieldClassification } from '../../access';
import { rowScope } from '../../row-scope';
import { valueAsCallerMaySee } from '../visible-value';

const policy = loadAccessPolicy();
const customerNo: FieldClassification = { tier: 'INTERNAL', category: 'IDENTITY', mask: null };
const name: FieldClassification = { tier: 'CONFIDENTIAL', category: 'IDENTITY', mask: 'NAME' };
const record = rowScope('/1/3/9/', '501');
const caller = (role: Caller['role'], staffId = '900', branchPath = '/1/4/12/'): Caller => ({ staffId, role, branchPath, grade: null, purpose: null });

describe('valueAsCallerMaySee (values an error names)', () => {
  it('gives the value where the caller reads it in clear', () => {
    expect(valueAsCallerMaySee({ policy, caller: caller('CUSTOMER_MANAGER', '501') }, customerNo, record, 'CU0000000017')).toBe('CU0000000017');
    expect(valueAsCallerMaySee({ policy, caller: caller('CUSTOMER_MANAGER', '501') }, name, record, '张三丰')).toBe('张三丰');
  });

  it('leaves out what the caller would read masked, pseudonymised or not at all', () => {
    // A colleague's customer: the name would be masked for another manager.
    expect(valueAsCallerMaySee({ policy, caller: caller('CUSTOMER_MANAGER', '502') }, name, record, '张三丰')).toBeNull();
    // BI analysts get identifiers pseudonymised (sealed): never the raw key.
    expect(valueAsCallerMaySee({ policy, caller: caller('BI_ANALYST') }, customerNo, record, 'CU0000000017')).toBeNull();
    expect(valueAsCallerMaySee({ policy, caller: caller('BI_ANALYST') }, name, record, '张三丰')).toBeNull();
  });
});
