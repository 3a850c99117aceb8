import { startLimit } from '../lib/baselines';
import { type Bindery, startBindery } from '../lib/bindery';
import { completeBinding, issueToken, post, tenantHeaders } from '../lib/http';
import { type LoadRequest, measureSideBySide } from '../lib/load';
import { measuredRow, type ScenarioResult } from '../lib/report';
import { INSTANCES, withServers } from './query';

export const POLLING_PATH = '/upi-integration/upi/registration/v1/polling';

/** As the Enstage samples send it: upper-case credential headers and a JSON body as text/plain. */
function pollLoad(server: Bindery | null, device: { ssid: string; deviceId: string }): LoadRequest {
  const credentials = server ? tenantHeaders(server.tenant) : null;
  return {
    path: POLLING_PATH,
    headers: {
      ...(credentials
        ? { 'X-API-KEY': credentials['x-api-key'], 'X-API-TOKEN': credentials['x-api-token'] }
        : {}),
      'Content-Type': 'text/plain',
    },
    body: JSON.stringify({ ssid: device.ssid, deviceId: device.deviceId }),
  };
}

export async function seedPoll(server: Bindery) {
  const attempt = await issueToken(server.url, server.tenant);
  await completeBinding(server.url, server.tenant, attempt);
  const load = pollLoad(server, attempt);
  const answer = await post(server.url, load.path, load.headers, load.body);
  if (answer.status !== 200 || answer.body?.resCode !== '200') {
    throw new Error(`polling answered ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return { load, answer: answer.body as unknown, device: attempt };
}

/** The legacy polling route under the query scenario's load, beside the same kind of limit. */
export async function legacyPollScenario(): Promise<ScenarioResult> {
  return withServers(
    INSTANCES.map((i) => () => startBindery(i.db, { dir: i.dir })),
    async (binderies) => {
      const seeded = await Promise.all(binderies.map((b) => seedPoll(b as Bindery)));
      return withServers(
        [() => startLimit([{ path: POLLING_PATH, body: JSON.stringify(seeded[0].answer) }])],
        async ([limitServer]) => {
          const [limit, ...measured] = await measureSideBySide([
            { server: limitServer, load: pollLoad(null, seeded[0].device) },
            ...binderies.map((server, i) => ({ server, load: seeded[i].load })),
          ]);
          return {
            rows: [
              measuredRow('legacy-poll', 'limit: bare node:http, bytes from memory', limit),
              ...measured.map((m, i) =>
                measuredRow('legacy-poll', INSTANCES[i].label, m, {
                  ratios: { limit: m.rps / limit.rps },
                  dbCores: INSTANCES[i].db === 'postgres' ? m.dbCores : undefined,
                }),
              ),
            ],
          };
        },
      );
    },
  );
}
