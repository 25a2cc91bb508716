import { Lexer, Source, TokenKind } from 'graphql';
import { HttpError } from './http-server';
import { OPERATION_LIMITS } from './operation-limits';

/**
 * Brackets (`{`, `[`, `(`) open at once. graphql-js parses recursively, so a value nested a couple of
 * thousand levels deep overflows the stack inside the parser, within the token limit; selection depth
 * is limited separately after parsing, and real operations stay far below this.
 */
export const MAX_OPERATION_NESTING = 64;

export type OperationTextLimit = 'token' | 'nesting';

const OPENING = new Set<TokenKind>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<TokenKind>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/**
 * The limit an operation's text exceeds, found by one flat pass of the lexer (no recursion) that stops
 * at the first excess; undefined when within both. Lexical errors are left for the parser to report.
 */
export function exceededOperationTextLimit(
  text: string,
  limits: { maxTokens: number; maxNesting: number } = { maxTokens: OPERATION_LIMITS.maxTokens, maxNesting: MAX_OPERATION_NESTING },
): OperationTextLimit | undefined {
  const lexer = new Lexer(new Source(text));
  let tokens = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1;
      if (tokens > limits.maxTokens) return 'token';
      if (OPENING.has(token.kind)) {
        nesting += 1;
        if (nesting > limits.maxNesting) return 'nesting';
      } else if (CLOSING.has(token.kind)) {
        nesting -= 1;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** A 400 naming the limit an operation's text exceeds (never its value), or undefined when it is within them. */
export function screenOperationText(text: string): HttpError | undefined {
  const limit = exceededOperationTextLimit(text);
  if (limit === undefined) return undefined;
  return new HttpError(400, `The operation exceeds the ${limit} limit`, 'GRAPHQL_VALIDATION_FAILED', {}, { limit });
}
