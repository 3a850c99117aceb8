import { type FastifyInstance } from 'fastify';
import { type RestDeps } from '../shared/deps';
import { AccessTokenStore } from './access-tokens';
import { consentRoutes } from './consent.routes';
import { tokenRoute } from './token.route';

/**
 * UAE PASS-style consent API (seed 002). The token endpoint and the consent calls sit in sibling
 * scopes because they answer errors in different envelopes (OAuth vs `{code, desc}`) and only
 * the token endpoint takes form bodies. Access tokens are signed, not stored, so every instance sharing SECRETS_KEY accepts them.
 */
export async function uaePassRoutes(app: FastifyInstance, deps: RestDeps): Promise<void> {
  const tokens = new AccessTokenStore(deps.config.secretsKey);
  await app.register(async (scope) => tokenRoute(scope, deps, tokens));
  await app.register(async (scope) => consentRoutes(scope, deps, tokens));
}
