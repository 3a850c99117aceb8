import { type LoggerOptions } from 'pino';

/**
 * Field names whose values are secrets or tokens, at any depth: API tokens and keys, signing and
 * client secrets, access/id/SMS tokens, passwords, signatures, and the SMS body: `smsContent`, or
 * `content` as the VMN aggregator reports it, is the token itself.
 */
const SECRET_FIELD =
  /token|secret|password|passwd|signature|authorization|api[-_]?key|smscontent|^content$|cookie/i;

/** Field names that hold a mobile number; the SMS sender arrives as `from`. */
const MOBILE_FIELD = /mobile|msisdn|phone|^from$|^sender$/i;

export const REDACTED = '[redacted]';

/** Keeps the last four digits, enough to tell two customers apart in a support case. */
export function maskMobile(value: unknown): string {
  const digits = typeof value === 'number' || typeof value === 'string' ? String(value) : '';
  if (!/^\+?\d{6,15}$/.test(digits)) return REDACTED;
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

const MAX_DEPTH = 8;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function maskValue(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const masked = maskValue(item, depth + 1);
      if (masked !== item) (copy ??= [...value])[i] = masked;
    });
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === null || item === undefined) continue;
    const masked = SECRET_FIELD.test(key)
      ? REDACTED
      : MOBILE_FIELD.test(key) && typeof item !== 'object'
        ? maskMobile(item)
        : maskValue(item, depth + 1);
    if (masked !== item) (copy ??= { ...value })[key] = masked;
  }
  return copy ?? value;
}

/**
 * Masks secrets and mobile numbers by field name at any depth of a logged object, e.g. the
 * `input.mobileNumber` of GraphQL variables or a nested request body. Only plain objects and
 * arrays are walked: errors and Fastify's request/reply go through their serializers (and the
 * header paths below) instead. Nothing is copied when nothing needs masking.
 */
export function maskLogObject<T extends object>(object: T): T {
  return maskValue(object, 0) as T;
}

/** Headers Fastify's serializers may log; fast-redact handles fixed paths cheaply. */
export const REDACTED_HEADER_PATHS = [
  'req.headers["x-api-token"]',
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-signature"]',
  'req.headers["x-merchant-signature"]',
  'req.headers["x-uaepass-signature"]',
  'req.headers["x-up-accesstoken"]',
  'req.headers["router-authorization"]',
];

/** pino options src/logger.ts spreads into its call. */
export const logMaskingOptions: Pick<LoggerOptions, 'redact' | 'formatters' | 'serializers'> = {
  redact: { paths: REDACTED_HEADER_PATHS, censor: REDACTED },
  // A query string can carry GraphQL variables (tokens, mobile numbers): requests log their path.
  serializers: {
    req: (request: { method?: string; url?: string; id?: string }) => ({
      method: request.method,
      url: typeof request.url === 'string' ? request.url.split('?')[0] : undefined,
      reqId: request.id,
    }),
  },
  // Only the logged object: pino applies no formatter to child-logger bindings, so those carry
  // ids (component, tenantId, connectionId) and never personal data.
  formatters: { log: (object) => maskLogObject(object) },
};
