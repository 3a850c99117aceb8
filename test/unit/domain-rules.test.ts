import { judgeBind, judgeDecline } from '../../src/domain/binding-rules';
import { UserErrorCode } from '../../src/domain/errors';
import { deviceFingerprint } from '../../src/domain/fingerprint';
import { judgeInboundSms } from '../../src/domain/inbound-sms';
import { canonicalMobileNumber, maskMobileNumber } from '../../src/domain/mobile-number';
import {
  canTransition,
  isFinalRegistrationStatus,
  RegistrationStatus as S,
} from '../../src/domain/registration-status';
import { generateSmsToken, hashSmsToken } from '../../src/domain/sms-token';

const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T00:10:00Z');
const sender = '919812345678';

describe('SMS tokens', () => {
  it('are UPIACT plus random text, at least 35 characters, and never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateSmsToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(/^UPIACT [a-z0-9]{32}$/);
  });

  it('hash the same whatever white space surrounds the SMS body', () => {
    expect(hashSmsToken('  UPIACT abc \n')).toBe(hashSmsToken('UPIACT abc'));
    expect(hashSmsToken('UPIACT abc')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSmsToken('UPIACT abd')).not.toBe(hashSmsToken('UPIACT abc'));
  });
});

describe('mobile numbers', () => {
  it.each([
    ['919812345678', '919812345678'],
    ['+91 98123 45678', '919812345678'],
    ['9812345678', '919812345678'],
    ['91999999999', '91999999999'],
    ['971501234567', '971501234567'],
  ])('%s is stored as %s', (input, canonical) =>
    expect(canonicalMobileNumber(input)).toBe(canonical),
  );

  it.each(['12ab', '', '123', '0919812345678', '1234567890123456'])(
    '%s is not a mobile number',
    (input) => expect(canonicalMobileNumber(input)).toBeNull(),
  );

  it('are masked in logs down to the country code and last two digits', () => {
    expect(maskMobileNumber('919812345678')).toBe('91********78');
  });
});

describe('registration status machine', () => {
  it('final statuses go nowhere', () => {
    for (const status of [S.BOUND, S.DECLINED, S.EXPIRED, S.MISMATCH]) {
      expect(isFinalRegistrationStatus(status)).toBe(true);
      for (const to of Object.values(S)) expect(canTransition(status, to)).toBe(false);
    }
  });

  it('BOUND is reachable only from SMS_VERIFIED', () => {
    expect(canTransition(S.SMS_VERIFIED, S.BOUND)).toBe(true);
    expect(canTransition(S.PENDING_SMS, S.BOUND)).toBe(false);
  });
});

describe('inbound SMS rules', () => {
  const pending = { status: S.PENDING_SMS, expiresAt: later };

  it('an SMS in time from an acceptable number verifies and records the sender', () => {
    expect(judgeInboundSms(pending, sender, now)).toMatchObject({
      kind: 'transition',
      to: S.SMS_VERIFIED,
      recordSender: true,
    });
  });

  it('an SMS after expiresAt expires the attempt', () => {
    expect(judgeInboundSms(pending, sender, new Date(later.getTime() + 1))).toMatchObject({
      to: S.EXPIRED,
    });
  });

  it('an SMS from another number than the expected one is a MISMATCH', () => {
    expect(
      judgeInboundSms({ ...pending, expectedMobileNumber: '919800000000' }, sender, now),
    ).toMatchObject({ to: S.MISMATCH });
  });

  it('the same token from a second sender declines as fraud, from the same sender changes nothing', () => {
    const verified = { status: S.SMS_VERIFIED, expiresAt: later, mobileNumber: sender };
    expect(judgeInboundSms(verified, '919800000000', now)).toMatchObject({
      to: S.DECLINED,
      recordSender: false,
    });
    expect(judgeInboundSms(verified, sender, now)).toMatchObject({ kind: 'no-change' });
  });
});

describe('bind rules', () => {
  const verified = {
    status: S.SMS_VERIFIED,
    expiresAt: later,
    deviceId: 'd1',
    os: 'android',
    ssid: null,
    mobileNumber: sender,
  };
  const claim = { deviceId: 'd1', os: 'Android', ssid: 's1', mobileNumber: sender };
  const code = (v: ReturnType<typeof judgeBind>) => (v.kind === 'refused' ? v.error.code : v.kind);

  it('binds a verified attempt for the same device, os and sender', () =>
    expect(code(judgeBind(verified, claim, now))).toBe('bind'));
  it('refuses a pending attempt', () =>
    expect(code(judgeBind({ ...verified, status: S.PENDING_SMS }, claim, now))).toBe(
      UserErrorCode.SMS_VERIFICATION_PENDING,
    ));
  it('refuses another device', () =>
    expect(code(judgeBind(verified, { ...claim, deviceId: 'd2' }, now))).toBe(
      UserErrorCode.DEVICE_MISMATCH,
    ));
  it('refuses another number', () =>
    expect(code(judgeBind(verified, { ...claim, mobileNumber: '919800000000' }, now))).toBe(
      UserErrorCode.MOBILE_MISMATCH,
    ));
  it('refuses after expiresAt', () =>
    expect(code(judgeBind(verified, claim, new Date(later.getTime() + 1)))).toBe(
      UserErrorCode.TOKEN_EXPIRED,
    ));
  it('answers the binding again after BOUND with the same claim, even past expiry', () =>
    expect(
      code(judgeBind({ ...verified, status: S.BOUND }, claim, new Date(later.getTime() + 1))),
    ).toBe('already-bound'));
  it('refuses another claim after BOUND', () =>
    expect(
      code(judgeBind({ ...verified, status: S.BOUND }, { ...claim, deviceId: 'd2' }, now)),
    ).toBe(UserErrorCode.ALREADY_BOUND));

  it('declining a bound attempt answers ALREADY_BOUND; an open one may be declined', () => {
    expect(judgeDecline(S.BOUND)?.code).toBe(UserErrorCode.ALREADY_BOUND);
    expect(judgeDecline(S.SMS_VERIFIED)).toBeNull();
    expect(judgeDecline(S.PENDING_SMS)).toBeNull();
  });
});

describe('device fingerprint', () => {
  it('is sha256 of deviceId|ssid|merchantId|merchantCustomerId', () => {
    const parts = { deviceId: 'd', ssid: 's', merchantId: 'm', merchantCustomerId: 'c' };
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    expect(deviceFingerprint(parts)).toBe(createHash('sha256').update('d|s|m|c').digest('hex'));
  });
});
