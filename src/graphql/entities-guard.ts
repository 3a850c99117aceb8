import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';

/** The entity types and their key fields, as the contract declares them. */
const ENTITY_KEYS: Record<string, readonly string[]> = {
  Registration: ['id'],
  DeviceBinding: ['id'],
  Customer: ['merchantCustomerId'],
  ConsentTransaction: ['spId', 'spTransactionID'],
};

function wellFormed(representation: unknown): boolean {
  if (representation === null || typeof representation !== 'object') return false;
  const fields = representation as Record<string, unknown>;
  const keys = typeof fields.__typename === 'string' ? ENTITY_KEYS[fields.__typename] : undefined;
  return !!keys && keys.every((key) => typeof fields[key] === 'string');
}

/**
 * `_entities` with a representation that names no entity type, or lacks its key fields as
 * strings, is the caller's mistake: answered as BAD_USER_INPUT before @apollo/subgraph would
 * fail on it as an internal error.
 */
export function guardEntities(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  if (!field) return schema;
  const resolve = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args: { representations?: unknown[] }, context, info) => {
    const bad = (args.representations ?? []).findIndex((r) => !wellFormed(r));
    if (bad >= 0) {
      throw new GraphQLError(
        `representations[${bad}] must name an entity type (${Object.keys(ENTITY_KEYS).join(', ')}) with its key fields as strings`,
        { extensions: { code: 'BAD_USER_INPUT' } },
      );
    }
    return resolve(source, args, context, info);
  };
  return schema;
}
