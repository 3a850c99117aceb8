import { type FastifyInstance } from 'fastify';
import { enstageRoutes } from './enstage/routes';
import { juspayRoutes } from './juspay/routes';
import { razorpayRoutes } from './razorpay/routes';
import { type RestDeps } from './shared/deps';
import { acceptJsonBodies } from './shared/raw-body';
import { uaePassRoutes } from './uaepass/routes';
import { vmnRoutes } from './vmn/inbound-sms.route';

/** Every legacy API family, each in its own encapsulated scope with the legacy body parsers. */
export async function restRoutes(app: FastifyInstance, deps: RestDeps): Promise<void> {
  for (const family of [vmnRoutes, enstageRoutes, razorpayRoutes, juspayRoutes, uaePassRoutes]) {
    await app.register(async (scope) => {
      acceptJsonBodies(scope);
      await family(scope, deps);
    });
  }
}
