import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type TenantCredentials } from '../../src/services/tenant-service';

export interface Feed {
  /** Every payload received so far. */
  results: any[];
  /** Resolves once `count` payloads arrived, or the stream ended / failed first. */
  untilCount(count: number, timeoutMs?: number): Promise<any[]>;
  /** Resolves when the server completes the stream; rejects on an error message. */
  done: Promise<void>;
  client: Client;
  close(): Promise<void>;
}

/** A real graphql-ws client over a real WebSocket, authenticating in connectionParams. */
export function wsClient(
  url: string,
  tenant?: Pick<TenantCredentials, 'apiKey' | 'apiToken'>,
  onClosed?: (code: number) => void,
): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: tenant ? { 'x-api-key': tenant.apiKey, 'x-api-token': tenant.apiToken } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => onClosed?.((event as { code: number }).code) },
  });
}

export function subscribe(client: Client, query: string, variables: Record<string, unknown>): Feed {
  const results: any[] = [];
  const waiters: (() => void)[] = [];
  let settled = false;
  const wake = () => waiters.splice(0).forEach((w) => w());
  let dispose: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    dispose = client.subscribe(
      { query, variables },
      {
        next: (value) => {
          results.push(value);
          wake();
        },
        error: (error) => {
          settled = true;
          wake();
          reject(error);
        },
        complete: () => {
          settled = true;
          wake();
          resolve();
        },
      },
    );
  });
  done.catch(() => undefined);
  return {
    results,
    done,
    client,
    async untilCount(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (results.length < count && !settled && Date.now() < until) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, until - Date.now()));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return results;
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
}

export const REGISTRATION_CHANGED = `subscription ($id: ID!) { registrationStatusChanged(id: $id) { id status mobileNumber } }`;
export const CONSENT_CHANGED = `subscription ($spId: String!, $tx: String!) {
  consentStatusChanged(spId: $spId, spTransactionID: $tx) { spTransactionID status } }`;

export const statuses = (results: any[], field: string) =>
  results.map((r) => r.data?.[field]?.status);
