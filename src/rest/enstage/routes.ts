import { type FastifyInstance } from 'fastify';
import { type RestDeps } from '../shared/deps';

/** Not served yet. */
export async function enstageRoutes(_app: FastifyInstance, _deps: RestDeps): Promise<void> {}
