import { createClient } from 'graphql-ws';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { RequestSmsTokenDocument } from '../generated/graphql';
import { deliverSms } from '../support/clients';
import { CUSTOMER_MOBILE } from '../support/flows';
import { startTestServer, type TestServer } from '../support/server';
import { REGISTRATION_CHANGED, subscribe } from '../support/ws';
import { credentialsOf, send } from './typed-http';

/**
 * Apollo Router in passthrough mode opens one graphql-ws (graphql-transport-ws) connection per
 * subscription, sends the headers its rules propagate to the subgraph on the WebSocket handshake,
 * and sends connection_init without a payload. These tests play that router.
 */

const ROUTER_SECRET = 's3cret';
let bindery: TestServer;
let tenant: TenantCredentials;

beforeAll(async () => {
  bindery = await startTestServer({ ROUTER_SECRET });
  tenant = await bindery.newTenant();
});

afterAll(async () => {
  await bindery?.close();
});

async function issueToken(): Promise<{ registrationId: string; smsContent: string }> {
  const input = {
    merchantCustomerId: `cust-${randomUUID()}`,
    deviceId: `device-${randomUUID()}`,
    os: 'android',
  };
  const issued = await send(
    `${bindery.url}/graphql`,
    RequestSmsTokenDocument,
    { input },
    { ...credentialsOf(tenant), 'router-authorization': ROUTER_SECRET },
  );
  const { registration, smsContent } = issued.data!.requestSmsToken;
  return { registrationId: registration!.id, smsContent: smsContent! };
}

/** A graphql-ws client whose WebSocket handshake carries these headers, as the router's does. */
function clientWithHandshakeHeaders(
  headers: Record<string, string>,
  connectionParams?: Record<string, unknown>,
) {
  class HandshakeWithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createClient({
    url: `${bindery.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: HandshakeWithHeaders,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

const statusesOf = (results: any[]) =>
  results.map((result) => result.data?.registrationStatusChanged?.status);

describe('subscriptions through a router in passthrough mode', () => {
  it('stream the current state, then each change, to a router that authenticates with handshake headers', async () => {
    const { registrationId, smsContent } = await issueToken();
    const router = clientWithHandshakeHeaders({
      ...credentialsOf(tenant),
      'router-authorization': ROUTER_SECRET,
    });
    const feed = subscribe(router, REGISTRATION_CHANGED, { id: registrationId });
    try {
      expect(statusesOf(await feed.untilCount(1))).toEqual(['PENDING_SMS']);
      await deliverSms(bindery.url, { from: CUSTOMER_MOBILE, content: smsContent });
      expect(statusesOf(await feed.untilCount(2))).toEqual(['PENDING_SMS', 'SMS_VERIFIED']);
    } finally {
      await feed.close();
    }
  });

  it('refuse a WebSocket without the router secret, even with valid credentials', async () => {
    const { registrationId } = await issueToken();
    const direct = clientWithHandshakeHeaders({}, credentialsOf(tenant));
    const feed = subscribe(direct, REGISTRATION_CHANGED, { id: registrationId });
    try {
      expect(await feed.untilCount(1, 3_000)).toEqual([]);
      await expect(feed.done).rejects.toBeDefined();
    } finally {
      await feed.close();
    }
  });
});
