/**
 * Options for every object type: its plain (non-resolver) fields read the property of the same
 * name. No middleware or auth checker is configured, so type-graphql's per-field wrapper would
 * only add a call and an allocation to every field of every answer.
 */
export const PLAIN_FIELDS = { simpleResolvers: true } as const;
