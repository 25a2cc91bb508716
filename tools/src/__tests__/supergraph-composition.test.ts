import { readFileSync } from 'node:fs';
import { DEFAULT_SUPERGRAPH_PATH } from '@icg/gateway';
import { loadAccessPolicy } from '@icg/shared';
import { composeRegisteredSubgraphs } from '../compose-subgraphs';
import { composeSupergraph, CompositionFailedError } from '../supergraph-composition';
import {
  accountsWithWeakerCopy,
  mirrorWithWeakerClassification,
  wellClassifiedAccounts,
  wellClassifiedOrders,
  withNonNullConfidentialField,
  withNonNullDeniableField,
  withUnclassifiedField,
  withUndeclaredIdentifiers,
  withUnknownCategory,
} from './fixtures/classified-subgraphs';

function problemsOf(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CompositionFailedError);
    return (error as CompositionFailedError).problems;
  }
  throw new Error('composition was expected to fail');
}

describe('composeSupergraph', () => {
  it('keeps @classified in the supergraph so the gateway can read it', () => {
    const sdl = composeSupergraph([wellClassifiedAccounts, wellClassifiedOrders]);
    expect(sdl).toContain('@link(url: "https://insurer.example/classified/v1.0"');
    expect(sdl).toMatch(/holderName: String @join__field\(graph: ACCOUNTS\) @classified\(tier: CONFIDENTIAL, category: IDENTITY, mask: NAME\)/);
  });

  it('fails on a field without a classification', () => {
    expect(problemsOf(() => composeSupergraph([wellClassifiedAccounts, withUnclassifiedField]))).toEqual([
      'loose: Note.text has no @classified (on the field or its type)',
    ]);
  });

  it('fails on a classification value the shared reader does not know', () => {
    expect(problemsOf(() => composeSupergraph([withUnknownCategory]))).toContainEqual(
      expect.stringContaining('ahead: Note.text: @classified category "GOSSIP" is not one of'),
    );
  });

  it('fails on a non-nullable field above INTERNAL', () => {
    expect(problemsOf(() => composeSupergraph([withNonNullConfidentialField]))).toEqual([
      'strict: Person.mobile is CONFIDENTIAL and must be nullable, so a denial cannot null its parent',
    ]);
  });

  it('fails on a non-null field that the access policy could deny to some role', () => {
    const policy = loadAccessPolicy();
    expect(() => composeSupergraph([withNonNullDeniableField])).not.toThrow();
    expect(problemsOf(() => composeSupergraph([withNonNullDeniableField], policy))).toEqual([
      `clinic: Visit.ward can be denied to CUSTOMER_MANAGER under policy ${policy.version} and must be nullable, so a denial cannot null its parent`,
    ]);
  });

  it('fails on every identifier not declared IDENTITY, so a pseudonymising role can never get or give one raw', () => {
    const because = 'must be classified category IDENTITY, so a role that pseudonymises identifiers gets and gives it sealed';
    expect(problemsOf(() => composeSupergraph([withUndeclaredIdentifiers]))).toEqual([
      `forgetful: Query.ticket(ticketNo:) takes an identifier (a business number) and ${because}`,
      `forgetful: Query.tickets(after:) takes an identifier (a cursor) and ${because}`,
      `forgetful: TicketFilter.agentId takes an identifier (of type ID) and ${because}`,
      `forgetful: Ticket.ticketNo is an identifier (a @key field) and ${because}`,
      `forgetful: Ticket.id is an identifier (of type ID) and ${because}`,
      `forgetful: Ticket.claimNo is an identifier (a business number) and ${because}`,
      `forgetful: Ticket.cursor is an identifier (a cursor) and ${because}`,
    ]);
  });

  it('fails when two subgraphs classify the same field differently', () => {
    const problems = problemsOf(() => composeSupergraph([accountsWithWeakerCopy, mirrorWithWeakerClassification]));
    expect(problems).toContain('Account.holderName is classified CONFIDENTIAL/IDENTITY/NAME in accounts but INTERNAL/GENERAL in mirror');
  });
});

describe('the committed supergraph', () => {
  it('is what composing the current subgraph schemas gives (run `npm run compose` after a schema change)', () => {
    expect(readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8')).toBe(composeRegisteredSubgraphs());
  });
});
