import { type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';

/**
 * Every answer is tenant data that changes with each status move, so none may be cached. Apollo's
 * cache-control plugin reaches the same `no-store` by wrapping every field resolver to gather
 * hints no field declares; setting the header once costs nothing per field.
 */
export function noStorePlugins<T extends object>(): ApolloServerPlugin<T>[] {
  return [
    ApolloServerPluginCacheControlDisabled(),
    {
      async requestDidStart() {
        return {
          async willSendResponse({ response }) {
            response.http.headers.set('cache-control', 'no-store');
          },
        };
      },
    },
  ];
}
