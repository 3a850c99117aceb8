import { type UserError, UserErrorCode, userError } from './errors';
import { canonicalMobileNumber } from './mobile-number';
import { namesNonPublicHost } from './public-address';

/** Limits on every string a caller controls. */
export const LIMITS = {
  merchantCustomerId: 256,
  deviceId: 128,
  ssid: 64,
  os: 32,
  osVersion: 64,
  manufacturer: 64,
  model: 64,
  packageName: 255,
  udfParameters: 2048,
  reason: 500,
  idempotencyKey: 128,
  spTransactionID: 128,
  purpose: 500,
  callbackUrl: 2048,
  id: 64,
  smsContent: 160,
} as const;

const MERCHANT_CUSTOMER_ID = /^[A-Za-z0-9._-]+$/;
/** Printable characters only: identifiers never carry control characters. */
const PRINTABLE = /^[^\p{Cc}\p{Cs}]*$/u;
/** Juspay's rule: udfParameters may not contain any of / # - ( ) * ! % ~ ` */
const UDF_FORBIDDEN = /[/#\-()*!%~`]/;

/** Collects the errors of one input, field by field. */
export class InputCheck {
  readonly errors: UserError[] = [];

  private add(field: string, message: string): void {
    this.errors.push(userError(UserErrorCode.INVALID_INPUT, message, field));
  }

  text(field: string, value: string | undefined | null, max: number, required = true): this {
    if (value === undefined || value === null) {
      if (required) this.add(field, `${field} is required`);
      return this;
    }
    if (typeof value !== 'string') {
      this.add(field, `${field} must be a string`);
    } else if (value.trim() === '') {
      if (required) this.add(field, `${field} must not be empty`);
      else this.add(field, `${field} must not be blank when given`);
    } else if (value.length > max) {
      this.add(field, `${field} must be at most ${max} characters`);
    } else if (!PRINTABLE.test(value)) {
      this.add(field, `${field} must not contain control characters`);
    }
    return this;
  }

  merchantCustomerId(field: string, value: string | undefined): this {
    const before = this.errors.length;
    this.text(field, value, LIMITS.merchantCustomerId);
    if (this.errors.length === before && !MERCHANT_CUSTOMER_ID.test(value as string)) {
      this.add(field, `${field} may hold only letters, digits, dot, underscore and hyphen`);
    }
    return this;
  }

  mobileNumber(field: string, value: string | undefined | null, required = true): this {
    const before = this.errors.length;
    this.text(field, value, 20, required);
    if (this.errors.length === before && value && canonicalMobileNumber(value) === null) {
      this.add(field, `${field} must be a mobile number with country code, e.g. 919999999999`);
    }
    return this;
  }

  udfParameters(field: string, value: string | undefined | null): this {
    if (value === undefined || value === null || value === '') return this;
    const before = this.errors.length;
    this.text(field, value, LIMITS.udfParameters, false);
    if (this.errors.length !== before) return this;
    if (UDF_FORBIDDEN.test(value)) {
      this.add(field, `${field} must not contain any of / # - ( ) * ! % ~ \``);
      return this;
    }
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        this.add(field, `${field} must be a stringified JSON object`);
      }
    } catch {
      this.add(field, `${field} must be a stringified JSON object`);
    }
    return this;
  }

  integer(field: string, value: number | undefined | null, min: number, max: number): this {
    if (value === undefined || value === null) return this;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.add(field, `${field} must be a whole number from ${min} to ${max}`);
    }
    return this;
  }

  url(
    field: string,
    value: string | undefined | null,
    allow: { plainHttp: boolean; privateHosts: boolean },
  ): this {
    if (value === undefined || value === null) return this;
    const before = this.errors.length;
    this.text(field, value, LIMITS.callbackUrl, false);
    if (this.errors.length !== before) return this;
    let parsed: URL | null = null;
    try {
      parsed = new URL(value);
    } catch {
      parsed = null;
    }
    const schemeOk =
      parsed !== null &&
      (parsed.protocol === 'https:' || (allow.plainHttp && parsed.protocol === 'http:'));
    if (!schemeOk)
      this.add(field, `${field} must be an ${allow.plainHttp ? 'http(s)' : 'https'} URL`);
    else if (!allow.privateHosts && namesNonPublicHost(parsed!))
      this.add(field, `${field} must name a host on the public internet`);
    return this;
  }
}

/**
 * Whether a caller's lookup key can name a row at all: a string within the column's length and
 * without control characters. Keys that cannot are answered like keys that match nothing.
 */
export function isLookupKey(value: unknown, max = LIMITS.merchantCustomerId): value is string {
  return (
    typeof value === 'string' && value.length > 0 && value.length <= max && PRINTABLE.test(value)
  );
}
