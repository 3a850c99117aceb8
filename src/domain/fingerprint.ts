import { createHash } from 'node:crypto';

export interface FingerprintParts {
  deviceId: string;
  ssid: string;
  merchantId: string;
  merchantCustomerId: string;
}

/** sha256(deviceId|ssid|merchantId|merchantCustomerId) as 64 lowercase hex characters. */
export function deviceFingerprint(parts: FingerprintParts): string {
  const material = [parts.deviceId, parts.ssid, parts.merchantId, parts.merchantCustomerId].join(
    '|',
  );
  return createHash('sha256').update(material, 'utf8').digest('hex');
}
