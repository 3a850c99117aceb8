import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function parseIso(value: unknown): Date {
  if (typeof value !== 'string') throw new GraphQLError('DateTime must be an ISO 8601 string');
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new GraphQLError(`"${value}" is not an ISO 8601 date-time`);
  return date;
}

/** The contract's `DateTime`: an ISO 8601 instant in UTC, as `Date.toISOString()` writes it. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant as an ISO 8601 string in UTC, e.g. 2026-11-22T10:15:30.000Z.',
  serialize(value: unknown): string {
    // SQLite hands some dates back as strings or epoch numbers; normalise them all.
    const date = value instanceof Date ? value : new Date(value as string | number);
    if (Number.isNaN(date.getTime()))
      throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: parseIso,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO 8601 string');
    return parseIso(ast.value);
  },
});
