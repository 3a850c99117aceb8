import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type Bindery, startBindery, TREES } from '../lib/bindery';
import {
  type Attempt,
  BIND_DEVICE,
  bindInput,
  CUSTOMER_MOBILE,
  deliverSms,
  graphql,
  issueToken,
  post,
  tenantHeaders,
} from '../lib/http';
import { percentile } from '../lib/load';
import { type ScenarioResult } from '../lib/report';
import { POLLING_PATH } from './legacy-poll';
import { withServers } from './query';

const CHANGES = Number(process.env.BENCH_PUSH_CHANGES ?? 200);
/**
 * Changes watched at once. Kept under the server's PostgreSQL pool (10): this scenario measures
 * latency, and lockKey's pool exhaustion under 10+ concurrent token requests is bind's to show.
 */
const IN_FLIGHT = 8;
const POLL_EVERY_MS = 1000;
const GIVE_UP_MS = 10_000;

const STATUS_CHANGED = `subscription ($id: ID!) { registrationStatusChanged(id: $id) { id status } }`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the moment the subscription delivers BOUND for this registration. */
function boundPushed(
  client: Client,
  registrationId: string,
): { ready: Promise<void>; at: Promise<number> } {
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const at = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no BOUND event within 10 s')), GIVE_UP_MS);
    client.subscribe<{ registrationStatusChanged: { status: string } }>(
      { query: STATUS_CHANGED, variables: { id: registrationId } },
      {
        next: (event) => {
          // The first event is the current state: from then on the subscription is live.
          ready();
          if (event.data?.registrationStatusChanged.status === 'BOUND') {
            clearTimeout(timer);
            resolve(performance.now());
          }
        },
        error: (error) => {
          ready();
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => undefined,
      },
    );
  });
  // Awaited only after the mutation; an early failure must wait for that, not crash the run.
  at.catch(() => undefined);
  return { ready: readyP, at };
}

/**
 * Today's caller: the Enstage polling route once a second, started at a random phase as a real
 * poller's phase is random relative to the change. Resolves when an answer says bound (200).
 */
async function boundPolled(server: Bindery, attempt: Attempt): Promise<number> {
  const body = JSON.stringify({ ssid: attempt.ssid, deviceId: attempt.deviceId });
  const headers = { ...tenantHeaders(server.tenant), 'content-type': 'text/plain' };
  const giveUp = performance.now() + GIVE_UP_MS;
  await sleep(Math.random() * POLL_EVERY_MS);
  while (performance.now() < giveUp) {
    const next = performance.now() + POLL_EVERY_MS;
    const answer = await post(server.url, POLLING_PATH, headers, body);
    if (answer.body?.resCode === '200') return performance.now();
    await sleep(next - performance.now());
  }
  throw new Error('polling never saw the binding within 10 s');
}

/** One change, watched both ways at once: times are from the mutation's HTTP response. */
async function oneChange(server: Bindery, client: Client) {
  const attempt = await issueToken(server.url, server.tenant);
  await deliverSms(server.url, {
    from: CUSTOMER_MOBILE,
    to: attempt.vmn,
    content: attempt.smsContent,
  });
  const pushed = boundPushed(client, attempt.registrationId);
  await pushed.ready;
  const polled = boundPolled(server, attempt);
  polled.catch(() => undefined);
  const answer = await graphql(server.url, server.tenant, BIND_DEVICE, {
    input: bindInput(attempt),
  });
  const answeredAt = performance.now();
  if (!answer.body?.data?.bindDevice?.deviceBinding) {
    throw new Error(`bindDevice: ${JSON.stringify(answer.body)}`);
  }
  // An event can beat the response over the wire; to the caller that is no wait at all.
  return {
    push: Math.max(0, (await pushed.at) - answeredAt),
    poll: Math.max(0, (await polled) - answeredAt),
  };
}

async function measureTree(dir: string) {
  return withServers([() => startBindery('postgres', { dir })], async ([server]) => {
    const bindery = server as Bindery;
    const client = createClient({
      url: `${bindery.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: tenantHeaders(bindery.tenant),
      retryAttempts: 0,
    });
    const push: number[] = [];
    const poll: number[] = [];
    let started = 0;
    try {
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (started < CHANGES) {
            started++;
            const change = await oneChange(bindery, client);
            push.push(change.push);
            poll.push(change.poll);
          }
        }),
      );
    } finally {
      await client.dispose();
    }
    return { push: Float64Array.from(push).sort(), poll: Float64Array.from(poll).sort() };
  });
}

/** How long after a change its watcher knows: a graphql-ws subscriber beside a 1 s poller. */
export async function pushScenario(): Promise<ScenarioResult> {
  const result: ScenarioResult = { rows: [], targets: [] };
  for (const tree of TREES) {
    const { push, poll } = await measureTree(tree.dir);
    const [pushP50, pollP50] = [percentile(push, 50), percentile(poll, 50)];
    result.rows.push(
      {
        scenario: 'push',
        subject: `${tree.label}: legacy polling route every ${POLL_EVERY_MS / 1000} s`,
        p50Ms: pollP50,
        p99Ms: percentile(poll, 99),
      },
      {
        scenario: 'push',
        subject: `${tree.label}: graphql-ws event, ${push.length} changes on PostgreSQL`,
        p50Ms: pushP50,
        p99Ms: percentile(push, 99),
        ratios: { poll: pollP50 / pushP50 },
      },
    );
    result.targets!.push({
      scenario: 'push',
      goal: `${tree.label}: a subscriber learns of a change before a 1 s poller does (p50)`,
      measured: `${pushP50.toFixed(0)} ms vs ${pollP50.toFixed(0)} ms`,
      met: pushP50 < pollP50,
    });
  }
  return result;
}
