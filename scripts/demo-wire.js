'use strict';
/* global fetch -- Node 20's own */

// What scripts/demo.js says over the wire: HTTP calls, GraphQL, the signed VMN report and the
// graphql-ws subscriptions, each failure turned into a message a person can act on.
const { createHmac, randomBytes } = require('node:crypto');
const WebSocket = require('ws');

const env = process.env;
const BASE_URL = (env.BINDERY_URL || 'http://localhost:4000').replace(/\/+$/, '');
const VMN_SECRET = env.VMN_WEBHOOK_SECRET || 'dev-vmn-webhook-secret';
const PUSH_TIMEOUT_MS = Number(env.DEMO_TIMEOUT_MS || 10_000);

/** A failure the person running the demo can act on; printed without a stack. */
class DemoError extends Error {}

async function post(path, body, headers = {}) {
  let response;
  try {
    response = await fetch(`${BASE_URL}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  } catch (error) {
    throw new DemoError(
      `cannot reach Bindery at ${BASE_URL} (${error.cause?.code ?? error.message})`,
    );
  }
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Reported below with the status.
  }
  if (response.status === 401) {
    const reason = json?.errors?.[0]?.message ?? json?.error ?? text;
    throw new DemoError(`POST ${path} answered 401: ${reason}`);
  }
  if (!response.ok) throw new DemoError(`POST ${path} answered ${response.status}: ${text}`);
  return json;
}

async function assertReachable() {
  const answer = await fetch(`${BASE_URL}/healthz`).then(
    (response) => response.status,
    (error) => error.cause?.code ?? error.message,
  );
  if (answer !== 200) {
    throw new DemoError(
      `cannot reach Bindery at ${BASE_URL}/healthz (${answer}): start it with \`npm start\`, ` +
        'or point BINDERY_URL at a running instance',
    );
  }
}

function graphqlClient(tenant) {
  const headers = { 'x-api-key': tenant.apiKey, 'x-api-token': tenant.apiToken };
  // Only needed when the instance sits behind a router that proves itself with a shared secret.
  if (env.ROUTER_SECRET) headers['router-authorization'] = env.ROUTER_SECRET;
  return async (query, variables, field) => {
    const body = await post('/graphql', { query, variables }, headers).catch((error) => {
      if (/router-authorization/.test(error.message)) {
        throw new DemoError(`${error.message}: set ROUTER_SECRET to the server's`);
      }
      if (tenant.createdHere && / 401: /.test(error.message)) {
        throw new DemoError(
          `${error.message}: the tenant was created in this folder's database ` +
            `(${env.DATABASE_URL || 'sqlite:./.data/bindery.sqlite'}), which the server at ` +
            `${BASE_URL} does not use. Run the demo from the server's folder with its ` +
            'DATABASE_URL and SECRETS_KEY, or pass BINDERY_API_KEY, BINDERY_API_TOKEN and BINDERY_SP_ID.',
        );
      }
      throw error;
    });
    if (body.errors?.length) {
      throw new DemoError(`${field}: ${body.errors.map((e) => e.message).join('; ')}`);
    }
    const payload = body.data[field];
    if (payload?.errors?.length) {
      const reasons = payload.errors.map((e) => `${e.code} ${e.message}`).join('; ');
      throw new DemoError(`${field} refused: ${reasons}`);
    }
    return payload;
  };
}

/** One subscription whose pushed statuses are awaited one at a time, each printed on arrival. */
function statusFeed(client, query, variables, field, onPush) {
  const pushed = [];
  const waiting = [];
  let failure = null;
  const wake = () => waiting.splice(0).forEach((resume) => resume());
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) failure = new DemoError(result.errors[0].message);
        else {
          const status = result.data[field].status;
          onPush(status);
          pushed.push(status);
        }
        wake();
      },
      error: (error) => {
        failure = new DemoError(`subscription ${field} failed: ${describeWsError(error)}`);
        wake();
      },
      complete: wake,
    },
  );
  return {
    async expect(status) {
      const until = Date.now() + PUSH_TIMEOUT_MS;
      while (pushed.length === 0 && !failure && Date.now() < until) {
        await new Promise((resume) => {
          const timer = setTimeout(resume, until - Date.now());
          waiting.push(() => (clearTimeout(timer), resume()));
        });
      }
      if (pushed.length === 0) {
        throw failure ?? new DemoError(`no ${status} pushed within ${PUSH_TIMEOUT_MS} ms`);
      }
      const got = pushed.shift();
      if (got !== status) throw new DemoError(`expected ${status} to be pushed, got ${got}`);
    },
    close: dispose,
  };
}

function describeWsError(error) {
  if (error && typeof error.code === 'number') {
    return error.code === 4403
      ? 'the server refused the credentials (4403)'
      : `socket closed ${error.code} ${error.reason || ''}`.trim();
  }
  if (Array.isArray(error)) return error.map((e) => e.message).join('; ');
  return error?.message ?? String(error);
}

/** A WebSocket that presents the router secret on the upgrade, as the router itself would. */
function routedWebSocket() {
  if (!env.ROUTER_SECRET) return WebSocket;
  const headers = { 'router-authorization': env.ROUTER_SECRET };
  return class extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { headers });
    }
  };
}

/** Plays the VMN aggregator: a signed report that the customer's phone sent the SMS. */
async function deliverSms({ from, to, content }) {
  const body = JSON.stringify({
    messageId: `demo-${randomBytes(6).toString('hex')}`,
    from,
    to,
    content,
    receivedAt: new Date().toISOString(),
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', VMN_SECRET).update(`${timestamp}.${body}`).digest('hex');
  await post('/v1/vmn/inbound-sms', body, { 'x-timestamp': timestamp, 'x-signature': signature });
}

module.exports = {
  BASE_URL,
  DemoError,
  assertReachable,
  deliverSms,
  graphqlClient,
  routedWebSocket,
  statusFeed,
};
