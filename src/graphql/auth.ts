import { defaultFieldResolver, type GraphQLField, type GraphQLSchema } from 'graphql';
import { type Caller } from '../services';
import { unauthenticated } from './errors';

/** Root fields anyone may call: the router fetches the SDL before it has any credentials. */
const PUBLIC_ROOT_FIELDS = new Set(['_service']);

export function requireCaller(context: { caller: Caller | null }): Caller {
  if (!context.caller) throw unauthenticated();
  return context.caller;
}

type RootField = GraphQLField<unknown, { caller: Caller | null }>;

function guard(field: RootField): void {
  const resolve = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, context, info) => {
    requireCaller(context);
    return resolve(source, args, context, info);
  };
  const subscribe = field.subscribe;
  if (subscribe) {
    field.subscribe = (source, args, context, info) => {
      requireCaller(context);
      return subscribe(source, args, context, info);
    };
  }
}

/**
 * Puts the credential check in front of every root field of the built schema, so fields that no
 * resolver of ours serves (`_entities`, added by buildSubgraphSchema) are covered too.
 */
export function guardRootFields(schema: GraphQLSchema): GraphQLSchema {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  for (const root of roots) {
    if (!root) continue;
    for (const [name, field] of Object.entries(root.getFields())) {
      if (!PUBLIC_ROOT_FIELDS.has(name)) guard(field);
    }
  }
  return schema;
}
