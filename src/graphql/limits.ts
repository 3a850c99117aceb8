import { ApolloArmor } from '@escape.tech/graphql-armor';
import { specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

/**
 * Query limits sized to the contract: its deepest legitimate query (customer -> registrations ->
 * deviceBinding / history, or a gateway's _entities with nested selections) is depth 5, so these
 * bounds leave room for clients while refusing abusive documents before execution.
 */
export function graphqlLimits(production: boolean) {
  return new ApolloArmor({
    maxDepth: { n: 10 },
    maxAliases: { n: 15 },
    maxDirectives: { n: 20 },
    // Counted by graphql-js's own parser instead (MAX_TOKENS), which fails as a 400 parse error.
    maxTokens: { enabled: false },
    costLimit: { maxCost: 10_000 },
    // Suggestions reveal the schema; introspection is off in production for the same reason.
    blockFieldSuggestion: { enabled: production },
  }).protect();
}

export const MAX_TOKENS = 5000;

/** graphql-ws validates on its own: the same rules apply to subscriptions over WebSocket. */
export function limitedValidate(production: boolean) {
  const rules = [...specifiedRules, ...graphqlLimits(production).validationRules];
  return (schema: GraphQLSchema, document: DocumentNode) => validate(schema, document, rules);
}
