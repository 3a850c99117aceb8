import { randomUUID } from 'node:crypto';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from './clients';
import { BIND_DEVICE, REQUEST_SMS_TOKEN } from './operations';

export const CUSTOMER_MOBILE = '919812345678';

export interface Attempt {
  registrationId: string;
  smsContent: string;
  merchantCustomerId: string;
  deviceId: string;
  os: string;
  ssid: string;
}

/** A customer and an Android device the service has never seen: requestSmsToken's input. */
export function newCustomerDevice() {
  return {
    merchantCustomerId: `cust-${randomUUID()}`,
    deviceId: `device-${randomUUID()}`,
    os: 'android',
    ssid: `ssid-${randomUUID().slice(0, 8)}`,
  };
}

/** requestSmsToken for a new customer and device unless told otherwise. */
export async function issueToken(
  url: string,
  tenant: TenantCredentials,
  input: Partial<{
    merchantCustomerId: string;
    deviceId: string;
    os: string;
    ssid: string;
    expectedMobileNumber: string;
  }> = {},
): Promise<Attempt> {
  const fresh = newCustomerDevice();
  const attempt = {
    merchantCustomerId: input.merchantCustomerId ?? fresh.merchantCustomerId,
    deviceId: input.deviceId ?? fresh.deviceId,
    os: input.os ?? fresh.os,
    ssid: input.ssid ?? fresh.ssid,
  };
  const response = await graphql(
    url,
    REQUEST_SMS_TOKEN,
    { input: { ...attempt, expectedMobileNumber: input.expectedMobileNumber } },
    tenant,
  );
  const payload = response.data?.requestSmsToken;
  if (!payload?.registration)
    throw new Error(`requestSmsToken failed: ${JSON.stringify(response)}`);
  return { ...attempt, registrationId: payload.registration.id, smsContent: payload.smsContent };
}

export function bindInput(attempt: Attempt, overrides: Record<string, unknown> = {}) {
  return {
    merchantCustomerId: attempt.merchantCustomerId,
    smsContent: attempt.smsContent,
    deviceId: attempt.deviceId,
    ssid: attempt.ssid,
    manufacturer: 'samsung',
    model: 'Galaxy S23',
    os: attempt.os,
    osVersion: '14',
    packageName: 'test.merchant.upi.com',
    mobileNumber: CUSTOMER_MOBILE,
    ...overrides,
  };
}

/** Token, SMS from the customer's number, bind: an ACTIVE binding. */
export async function boundDevice(
  url: string,
  tenant: TenantCredentials,
  merchantCustomerId?: string,
) {
  const attempt = await issueToken(url, tenant, merchantCustomerId ? { merchantCustomerId } : {});
  const sms = await deliverSms(url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
  if (sms.status !== 200) throw new Error(`sms failed: ${JSON.stringify(sms)}`);
  const bound = await graphql(url, BIND_DEVICE, { input: bindInput(attempt) }, tenant);
  const binding = bound.data?.bindDevice?.deviceBinding;
  if (!binding) throw new Error(`bind failed: ${JSON.stringify(bound)}`);
  return { attempt, binding };
}
