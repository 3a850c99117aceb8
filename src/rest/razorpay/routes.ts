import { type FastifyInstance } from 'fastify';
import { type RestDeps } from '../shared/deps';

/** Not served yet. */
export async function razorpayRoutes(_app: FastifyInstance, _deps: RestDeps): Promise<void> {}
