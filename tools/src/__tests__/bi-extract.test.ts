import { parse } from 'graphql';
import { BI_ENTITIES, ExtractError, columnsOf, csvField, csvLine, extractDocument, parseExtractArguments } from '../bi-extract';

describe('bi:extract CSV', () => {
  it('quotes as RFC 4180 says: only fields with a quote, comma or line break, quotes doubled', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('one\nline')).toBe('"one\nline"');
    expect(csvField(null)).toBe('');
    expect(csvField(false)).toBe('false');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvLine(['a', null, 'b,c'])).toBe('a,,"b,c"\r\n');
  });

  it('names a column for every leaf under node, nested objects by path', () => {
    expect(columnsOf('query Q { things(first: 1) { totalCount edges { node { id status customer { id } branch { id parent { id } } } } } }')).toEqual([
      'id',
      'status',
      'customer.id',
      'branch.id',
      'branch.parent.id',
    ]);
  });

  it.each(BI_ENTITIES)('has a valid document for %s, with and without --since', (entity) => {
    const plain = extractDocument(entity, false);
    const since = extractDocument(entity, true);
    expect(() => parse(plain)).not.toThrow();
    expect(() => parse(since)).not.toThrow();
    expect(plain).not.toContain('updatedSince');
    expect(since).toContain('filter: { updatedSince: $since }');
    // The extract asks the whole table's count of its first page only.
    expect(plain).toContain('totalCount @include(if: $withTotal)');
    expect(plain).toContain('$withTotal: Boolean = true');
    expect(columnsOf(plain)[0]).toBe('id');
  });
});

describe('bi:extract arguments', () => {
  const base = ['--entity', 'policies', '--out', 'p.csv', '--token', 't'];
  it('takes the documented options and defaults', () => {
    expect(parseExtractArguments([...base, '--since', '2026-11-01'], {})).toEqual({
      entity: 'policies',
      since: '2026-11-01',
      out: 'p.csv',
      url: 'http://127.0.0.1:4000/graphql',
      token: 't',
      pageSize: 200,
    });
    expect(
      parseExtractArguments(['--entity', 'claims', '--out', 'c.csv'], { ICG_TOKEN: 'env', ICG_GRAPHQL_URL: 'https://bi.example.cn/graphql' }),
    ).toMatchObject({
      token: 'env',
      url: 'https://bi.example.cn/graphql',
    });
  });

  it.each([
    [['--entity', 'agents', '--out', 'x.csv', '--token', 't'], '--entity must be one of'],
    [[...base, '--since', '2026-02-30'], '--since must be a day'],
    [[...base, '--since', 'yesterday'], '--since must be a day'],
    [['--entity', 'customers', '--out', 'c.csv', '--token', 't', '--since', '2026-11-01'], '--since is not available for customers'],
    [['--entity', 'policies', '--token', 't'], '--out must name the CSV file'],
    [['--entity', 'policies', '--out', 'p.csv'], '--token (or ICG_TOKEN)'],
    [[...base, '--url', 'ftp://gateway'], '--url must be an http(s) URL'],
    [[...base, '--page-size', '500'], '--page-size must be 1 to 200'],
    [[...base, '--pages', '3'], "Unknown option '--pages'"],
  ])('refuses %j with a message naming the option', (argv, message) => {
    expect(() => parseExtractArguments(argv, {})).toThrow(ExtractError);
    expect(() => parseExtractArguments(argv, {})).toThrow(message);
  });
});
