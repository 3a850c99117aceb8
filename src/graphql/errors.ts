import { GraphQLError } from 'graphql';

/** Thrown, not answered in a payload: without a caller there is no tenant to answer for. */
export function unauthenticated(): GraphQLError {
  return new GraphQLError('Authentication required', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

/** A missing id and another tenant's id must be indistinguishable, so both answer this. */
export function notFound(what: string): GraphQLError {
  return new GraphQLError(`${what} not found`, { extensions: { code: 'NOT_FOUND' } });
}

export function badUserInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
}
