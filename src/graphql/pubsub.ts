import { type PubSub } from 'type-graphql';

/**
 * type-graphql insists on a PubSub once a schema has subscriptions, but Bindery's subscriptions
 * bring their own `subscribe` (statusStream over services.events), so topic-based ones would
 * silently never fire. This one says so loudly instead.
 */
export const noTopicPubSub: PubSub = {
  publish(routingKey: string): void {
    throw new Error(
      `topic publishing is not used (tried "${routingKey}"): publish to services.events`,
    );
  },
  subscribe(routingKey: string): AsyncIterable<unknown> {
    throw new Error(`topic subscriptions are not used (tried "${routingKey}"): use statusStream`);
  },
};
