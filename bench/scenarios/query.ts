import { startLimit, startPeer } from '../lib/baselines';
import { type Bindery, type DatabaseKind, startBindery, TREES } from '../lib/bindery';
import { completeBinding, graphqlBody, issueToken, post, tenantHeaders } from '../lib/http';
import { type LoadRequest, measureSideBySide } from '../lib/load';
import { measuredRow, type ScenarioResult, type Target } from '../lib/report';
import { type ServerProcess } from '../lib/proc';

/** What a caller reads after a binding: the registration's own fields, one entity, no joins. */
export const REGISTRATION_QUERY = `query ($id: ID!) { registration(id: $id) {
  id refNumber merchantCustomerId deviceId vmn status statusReason mobileNumber expiresAt createdAt updatedAt } }`;

export const QUERY_TARGET = 0.35;

function queryLoad(server: Bindery | null, id: string): LoadRequest {
  return {
    path: '/graphql',
    headers: {
      'content-type': 'application/json',
      ...(server ? tenantHeaders(server.tenant) : {}),
    },
    body: graphqlBody(REGISTRATION_QUERY, { id }),
  };
}

/** A bound registration in this server's database, and the exact answer Bindery gives for it. */
export async function seed(server: Bindery) {
  const attempt = await issueToken(server.url, server.tenant);
  await completeBinding(server.url, server.tenant, attempt);
  const load = queryLoad(server, attempt.registrationId);
  const answer = await post(server.url, load.path, load.headers, load.body);
  if (answer.body?.data?.registration?.id !== attempt.registrationId) {
    throw new Error(`registration(id) answered ${JSON.stringify(answer.body)}`);
  }
  return { load, answer: answer.body as { data: { registration: { id: string } } } };
}

export function shareTarget(scenario: string, subject: string, share: number): Target {
  return {
    scenario,
    goal: `${subject} ≥ ${QUERY_TARGET}× the limit's req/s`,
    measured: `${share.toFixed(2)}×`,
    met: share >= QUERY_TARGET,
  };
}

/** Starts each server, runs the work, and stops every server whatever happened. */
export async function withServers<T>(
  starts: (() => Promise<ServerProcess>)[],
  work: (servers: ServerProcess[]) => Promise<T>,
): Promise<T> {
  const servers: ServerProcess[] = [];
  try {
    for (const start of starts) servers.push(await start());
    return await work(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

const DBS: DatabaseKind[] = ['sqlite', 'postgres'];
export const DB_NAMES: Record<DatabaseKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** Every tree (Bindery, and a candidate when BENCH_CANDIDATE_DIR names one) on every database. */
export const INSTANCES = TREES.flatMap((tree) =>
  DBS.map((db) => ({ db, dir: tree.dir, label: `${tree.label} on ${DB_NAMES[db]}` })),
);

/**
 * registration(id) with tenant credentials on SQLite and PostgreSQL, beside a bare Node server
 * sending the same bytes (the limit) and a bare Apollo subgraph resolving it from memory (the peer).
 */
export async function queryScenario(): Promise<ScenarioResult> {
  return withServers(
    INSTANCES.map((i) => () => startBindery(i.db, { dir: i.dir })),
    async (binderies) => {
      const seeded = await Promise.all(binderies.map((b) => seed(b as Bindery)));
      const answer = seeded[0].answer;
      const id = answer.data.registration.id;
      return withServers(
        [
          () => startLimit([{ path: '/graphql', body: JSON.stringify(answer) }]),
          () => startPeer(answer.data.registration),
        ],
        async ([limitServer, peerServer]) => {
          const [limit, peer, ...measured] = await measureSideBySide([
            { server: limitServer, load: queryLoad(null, id) },
            { server: peerServer, load: queryLoad(null, id) },
            ...binderies.map((server, i) => ({ server, load: seeded[i].load })),
          ]);
          return {
            rows: [
              measuredRow('query', 'limit: bare node:http, bytes from memory', limit),
              measuredRow('query', 'peer: bare Apollo subgraph, from memory', peer, {
                ratios: { limit: peer.rps / limit.rps },
              }),
              ...measured.map((m, i) =>
                measuredRow('query', INSTANCES[i].label, m, {
                  ratios: { limit: m.rps / limit.rps, peer: m.rps / peer.rps },
                  dbCores: INSTANCES[i].db === 'postgres' ? m.dbCores : undefined,
                }),
              ),
            ],
            targets: measured.map((m, i) =>
              shareTarget('query', INSTANCES[i].label, m.rps / limit.rps),
            ),
          };
        },
      );
    },
  );
}
