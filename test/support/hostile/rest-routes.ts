/** The legacy REST routes, how callers authenticate to them, and the answers each documents. */

export const ROUTES = {
  enstagePolling: '/upi-integration/upi/registration/v1/polling',
  enstageDecline: '/upi-integration/upi/registration/v1/decline/deviceBinding',
  razorpayVerification: '/v1/upi/tpap/mobile/verification',
  razorpayBind: '/v1/upi/tpap/devices/bind',
  juspayGetSmsToken: '/api/v1/merchants/customer/getSmsToken',
  juspayBindDevice: '/api/v1/merchants/customer/bindDevice',
  uaePassToken: '/oauth2/token',
  uaePassSend: '/api/v1/consent/transaction/send',
  uaePassStatus: '/api/v1/consent/transaction/status',
  vmnInboundSms: '/v1/vmn/inbound-sms',
} as const;

export type Route = keyof typeof ROUTES;

/**
 * How the caller authenticates. `valid` is the tenant A's own credentials; the others are
 * missing, wrong, of two tenants at once, signed badly, too old or too new.
 */
export type Auth =
  | 'valid'
  | 'missing'
  | 'wrong'
  | 'mixed'
  | 'malformed'
  | 'bad-signature'
  | 'signed-other-body'
  | 'stale'
  | 'future'
  | 'not-a-timestamp';

export interface RestCase {
  route: Route;
  /** The body exactly as sent. */
  raw: string;
  /** The value the body was made from, when it is JSON (for reading fields back). */
  value: unknown;
  contentType: string | null;
  auth: Auth;
  /** Razorpay's x-customer-reference. */
  customerReference: string | null;
  /** Send the identical signed request a second time. */
  replay: boolean;
}

export type Family = 'polling' | 'psp' | 'razorpay' | 'oauth' | 'uaepass' | 'vmn';

export const FAMILY: Record<Route, Family> = {
  enstagePolling: 'polling',
  enstageDecline: 'psp',
  razorpayVerification: 'razorpay',
  razorpayBind: 'razorpay',
  juspayGetSmsToken: 'psp',
  juspayBindDevice: 'psp',
  uaePassToken: 'oauth',
  uaePassSend: 'uaepass',
  uaePassStatus: 'uaepass',
  vmnInboundSms: 'vmn',
};

const str = (v: unknown) => typeof v === 'string';

/** Each family's error body, as its seed (or, for the VMN, its route) defines it. */
export const ERROR_SHAPE: Record<Family, (b: any) => boolean> = {
  polling: (b) => b.status === 'FAILURE' && str(b.resCode) && str(b.resDesc),
  psp: (b) =>
    b.status === 'FAILURE' && str(b.responseCode) && str(b.responseMessage) && str(b.udfParameters),
  razorpay: (b) => str(b.error?.code) && str(b.error.description) && 'field' in b.error,
  oauth: (b) => str(b.error) && str(b.error_description),
  uaepass: (b) => str(b.code) && str(b.desc?.en) && str(b.desc?.ar),
  vmn: (b) =>
    (b.status === 'UNAUTHORIZED' && str(b.error)) ||
    (b.status === 'REJECTED' && Array.isArray(b.errors)),
};

const RAZORPAY_BIND_STATUSES = [
  'verified',
  'device_already_verified',
  'mobile_verification_pending',
  'mobile_verification_expired',
  'mobile_verification_mismatch',
  'mobile_verification_failed',
];
const JUSPAY_BIND_VERDICTS = [
  'SMS_VERIFICATION_PENDING',
  'SMS_VERIFICATION_EXPIRED',
  'SMS_VERIFICATION_MISMATCH',
  'REGISTRATION_DECLINED',
];

/** The documented 2xx answer of each route. */
export const SUCCESS_SHAPE: Record<Route, (b: any) => boolean> = {
  enstagePolling: (b) => b.status === 'SUCCESS' && /^\d+$/.test(b.resCode) && str(b.resDesc),
  enstageDecline: (b) =>
    b.status === 'SUCCESS' && ['JP19', 'JPAB'].includes(b.payload?.gatewayResponseCode),
  razorpayVerification: (b) =>
    b.verification_type === 'sms' &&
    str(b.sms?.content) &&
    Array.isArray(b.sms.receiver_number) &&
    Number.isInteger(b.expire_at),
  razorpayBind: (b) => b.entity === 'upi.device' && RAZORPAY_BIND_STATUSES.includes(b.status),
  juspayGetSmsToken: (b) =>
    b.status === 'SUCCESS' && str(b.payload?.serviceProviders?.[0]?.smsContent),
  juspayBindDevice: (b) =>
    (b.status === 'SUCCESS' && str(b.payload?.deviceFingerPrint)) ||
    (b.status === 'FAILURE' && JUSPAY_BIND_VERDICTS.includes(b.responseCode)),
  uaePassToken: (b) => str(b.access_token) && str(b.id_token) && b.expires_in === 3600,
  uaePassSend: (b) => b.code === '0' && str(b.data?.status),
  uaePassStatus: (b) => b.code === '0' && str(b.data?.status),
  vmnInboundSms: (b) => b.status === 'ACCEPTED' && typeof b.duplicate === 'boolean',
};
