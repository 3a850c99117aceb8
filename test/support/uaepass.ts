import { createHmac } from 'node:crypto';
import { type TenantCredentials } from '../../src/services/tenant-service';

export const SEND_PATH = '/api/v1/consent/transaction/send';
export const STATUS_PATH = '/api/v1/consent/transaction/status';
/** The seed's curl sends this User-Agent; it must make no difference. */
export const APIDOG_USER_AGENT = 'Apidog/1.0.0 (https://apidog.com)';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: any;
}

async function answerOf(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Left as text: the assertion that follows shows what came back.
  }
  return { status: response.status, headers: response.headers, body };
}

export function basicAuthorization(spId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${spId}:${clientSecret}`).toString('base64')}`;
}

/** POST /oauth2/token as an OAuth client library does: form body, HTTP Basic. */
export async function requestToken(
  url: string,
  options: { authorization?: string; body?: string; contentType?: string } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
  };
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  const response = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers,
    body: options.body ?? 'grant_type=client_credentials',
  });
  return answerOf(response);
}

/** The claims of an id_token, read without checking it: the server is what checks. */
export function idTokenClaims(idToken: string): Record<string, any> {
  return JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString('utf8'));
}

/** Lowercase hex HMAC-SHA256 over `timestamp + "." + rawBody`, as the contract defines it. */
export function uaePassSignature(
  signingSecret: string,
  timestamp: string,
  rawBody: string,
): string {
  return createHmac('sha256', signingSecret).update(`${timestamp}.${rawBody}`).digest('hex');
}

export interface SignedCallOptions {
  /** Sent as is; an object is JSON-stringified first. */
  body: string | Record<string, unknown>;
  /** Epoch seconds; defaults to a recent second of the given clock (see `usedSeconds`). */
  timestamp?: number | string;
  /** Signs with this secret instead of the tenant's. */
  signingSecret?: string;
  /** Signs these bytes instead of the body actually sent. */
  signedBody?: string;
  /** Header overrides; `null` leaves a header out. */
  headers?: Record<string, string | null>;
}

/** A UAE PASS-style caller: one tenant's tokens and signing secret, and the server's clock. */
export class UaePassClient {
  private constructor(
    readonly url: string,
    readonly tenant: TenantCredentials,
    readonly accessToken: string,
    readonly idToken: string,
    private readonly now: () => Date,
  ) {}

  /**
   * Identical signed requests are replays by contract, and polls of one body can fall in the
   * same second: each call that picks no timestamp signs a recent second no earlier call used.
   */
  private readonly usedSeconds = new Set<number>();

  static async connect(
    url: string,
    tenant: TenantCredentials,
    now: () => Date = () => new Date(),
  ): Promise<UaePassClient> {
    const token = await requestToken(url, {
      authorization: basicAuthorization(tenant.spId, tenant.clientSecret),
    });
    if (token.status !== 200) throw new Error(`token failed: ${JSON.stringify(token.body)}`);
    return new UaePassClient(url, tenant, token.body.access_token, token.body.id_token, now);
  }

  nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private unusedRecentSecond(): number {
    let second = this.nowSeconds();
    while (this.usedSeconds.has(second)) second--;
    this.usedSeconds.add(second);
    return second;
  }

  /** The headers of the seed's curl, signed over `rawBody`. */
  signedHeaders(rawBody: string, options: Omit<SignedCallOptions, 'body'> = {}) {
    const timestamp = String(options.timestamp ?? this.unusedRecentSecond());
    const signature = uaePassSignature(
      options.signingSecret ?? this.tenant.signingSecret,
      timestamp,
      options.signedBody ?? rawBody,
    );
    const headers: Record<string, string | null> = {
      'X-Timestamp': timestamp,
      'X-UAEPASS-Signature': signature,
      'X-UP-AccessToken': this.accessToken,
      Authorization: `JWS ${this.idToken}`,
      'User-Agent': APIDOG_USER_AGENT,
      'Content-Type': 'application/json',
      ...options.headers,
    };
    return Object.fromEntries(
      Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== null),
    );
  }

  async post(path: string, options: SignedCallOptions): Promise<HttpAnswer> {
    const rawBody = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: this.signedHeaders(rawBody, options),
      body: rawBody,
    });
    return answerOf(response);
  }

  send(body: Record<string, unknown>, options: Omit<SignedCallOptions, 'body'> = {}) {
    return this.post(SEND_PATH, { ...options, body: { spId: this.tenant.spId, ...body } });
  }

  status(spTransactionID: string, options: Omit<SignedCallOptions, 'body'> = {}) {
    return this.post(STATUS_PATH, {
      ...options,
      body: { spTransactionID, spId: this.tenant.spId },
    });
  }
}

/** The seed's bodies for every refusal, so tests compare whole bodies, not fragments. */
export const UNAUTHORIZED_BODY = {
  code: '401',
  desc: { ar: 'UNAUTHORIZED', en: 'UNAUTHORIZED' },
};

export const spNotFoundBody = (spId: string) => ({
  code: 'CONS_1000012',
  desc: {
    ar: `مقدم الخدمة [${spId}] غير موجودة.`,
    en: `Service Provider [${spId}] is not found.`,
  },
});

export const transactionNotFoundBody = (id: string) => ({
  code: 'CONS_1000010',
  desc: {
    ar: `المعاملة رقم [${id}] غير موجودة.`,
    en: `Transaction id [${id}] is not found.`,
  },
});

export const successBody = (spTransactionID: string, status: string) => ({
  code: '0',
  desc: { ar: 'نجاح', en: 'success' },
  data: { spTransactionID, uaePassTransactionID: expect.any(String), status },
});
