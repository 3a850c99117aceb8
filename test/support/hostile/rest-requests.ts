import { createHmac } from 'node:crypto';
import { type TestServer, VMN_SECRET } from '../server';
import { basicAuthorization, UaePassClient } from '../uaepass';
import { type Answer, readAnswer } from './invariants';
import { type Auth, type RestCase, type Route, ROUTES } from './rest-routes';
import { world } from './world';

const hmac = (secret: string, text: string) =>
  createHmac('sha256', secret).update(text).digest('hex');

/** Sends REST cases with the credentials, signatures and timestamps their `auth` calls for. */
export class RestRequests {
  private step = 0;
  private aUaePass!: UaePassClient;
  private bUaePass!: UaePassClient;

  constructor(private readonly server: TestServer) {}

  /** UAE PASS access tokens live in the server's memory, at most 100 per tenant: fresh ones. */
  async connectUaePass(): Promise<void> {
    this.aUaePass = await UaePassClient.connect(
      this.server.url,
      world.a.tenant,
      this.server.clock.now,
    );
    this.bUaePass = await UaePassClient.connect(
      this.server.url,
      world.b.tenant,
      this.server.clock.now,
    );
  }

  private nowMs(): number {
    return this.server.clock.now().getTime();
  }

  /**
   * When a signed request claims to have been made, in seconds or milliseconds. Valid ones spread
   * over the ±300 s window with an offset that grows with each call, so two requests with the same
   * body never share a timestamp (which would make the second a replay) however fast they follow.
   */
  private timestampFor(auth: Auth, unit: 's' | 'ms'): string {
    const n = ++this.step;
    if (auth === 'not-a-timestamp') return ['yesterday', '-1', '1e3', '0x10', ' 1 '][n % 5];
    const atMs =
      auth === 'stale'
        ? this.nowMs() - 301_000 - (n % 1_000) * 1_000
        : auth === 'future'
          ? this.nowMs() + 301_000 + (n % 1_000) * 1_000
          : unit === 'ms'
            ? this.nowMs() - 100_000 + (n % 200_000)
            : this.nowMs() - 290_000 + (n % 580) * 1_000;
    return String(unit === 'ms' ? atMs : Math.floor(atMs / 1000));
  }

  authHeaders(c: RestCase): Record<string, string> {
    const { auth, raw } = c;
    const signedText = auth === 'signed-other-body' ? `${raw} ` : raw;
    switch (c.route) {
      case 'enstagePolling':
      case 'enstageDecline':
        return auth === 'missing'
          ? {}
          : {
              'X-API-KEY': auth === 'malformed' ? ' ' : world.a.tenant.apiKey,
              'X-API-TOKEN':
                auth === 'wrong'
                  ? `${world.a.tenant.apiToken}x`
                  : auth === 'mixed'
                    ? world.b.tenant.apiToken
                    : world.a.tenant.apiToken,
            };
      case 'razorpayVerification':
      case 'razorpayBind': {
        const headers: Record<string, string> =
          c.customerReference === null ? {} : { 'x-customer-reference': c.customerReference };
        if (auth === 'missing') return headers;
        const secret =
          auth === 'wrong'
            ? `${world.a.tenant.keySecret}x`
            : auth === 'mixed'
              ? world.b.tenant.keySecret
              : world.a.tenant.keySecret;
        headers.Authorization =
          auth === 'malformed'
            ? 'Basic !!!not-base64'
            : `Basic ${Buffer.from(`${world.a.tenant.keyId}:${secret}`).toString('base64')}`;
        return headers;
      }
      case 'uaePassToken':
        if (auth === 'missing') return {};
        if (auth === 'malformed') return { Authorization: 'Basic %%%' };
        return {
          Authorization:
            auth === 'wrong'
              ? basicAuthorization(world.a.tenant.spId, `${world.a.tenant.clientSecret}x`)
              : auth === 'mixed'
                ? basicAuthorization(world.b.tenant.spId, world.a.tenant.clientSecret)
                : basicAuthorization(world.a.tenant.spId, world.a.tenant.clientSecret),
        };
      case 'juspayGetSmsToken':
      case 'juspayBindDevice': {
        const merchant = auth === 'mixed' ? world.b.tenant : world.a.tenant;
        const headers: Record<string, string> = {
          'x-merchant-id': merchant.merchantId,
          'x-merchant-channel-id': merchant.merchantChannelId,
        };
        if (auth === 'missing') return headers;
        const timestamp = this.timestampFor(auth, 'ms');
        const secret =
          auth === 'bad-signature' ? 'not-the-signing-secret' : world.a.tenant.signingSecret;
        headers['x-timestamp'] = timestamp;
        headers['x-merchant-signature'] = hmac(
          secret,
          `${merchant.merchantId}|${merchant.merchantChannelId}|${timestamp}|${signedText}`,
        );
        return headers;
      }
      case 'uaePassSend':
      case 'uaePassStatus': {
        if (auth === 'missing')
          return {
            'X-UP-AccessToken': this.aUaePass.accessToken,
            Authorization: `JWS ${this.aUaePass.idToken}`,
          };
        const headers = this.aUaePass.signedHeaders(raw, {
          timestamp: this.timestampFor(auth, 's'),
          signedBody: signedText,
          ...(auth === 'bad-signature' ? { signingSecret: 'not-the-signing-secret' } : {}),
          headers: {
            'Content-Type': null,
            ...(auth === 'mixed' ? { 'X-UP-AccessToken': this.bUaePass.accessToken } : {}),
          },
        });
        return headers;
      }
      case 'vmnInboundSms': {
        if (auth === 'missing') return {};
        const timestamp = this.timestampFor(auth, 's');
        const secret =
          auth === 'bad-signature'
            ? 'not-the-aggregator-secret'
            : auth === 'mixed'
              ? world.a.tenant.signingSecret
              : VMN_SECRET;
        return {
          'x-timestamp': timestamp,
          'x-signature': hmac(secret, `${timestamp}.${signedText}`),
        };
      }
    }
  }

  async post(route: Route, headers: Record<string, string>, c: RestCase): Promise<Answer> {
    const all = { ...headers };
    if (c.contentType !== null) all['content-type'] = c.contentType;
    const response = await fetch(`${this.server.url}${ROUTES[route]}`, {
      method: 'POST',
      headers: all,
      // Bytes carry no content type of their own: a null contentType sends none at all.
      body: c.contentType === null ? new TextEncoder().encode(c.raw) : c.raw,
    });
    return readAnswer(response);
  }
}
