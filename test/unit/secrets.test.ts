import { createHmac, randomBytes } from 'node:crypto';
import {
  SecretDecryptionError,
  decryptSecret,
  encryptSecret,
  hashSecret,
  hmacSha256Hex,
  randomSecret,
  safeEqualHex,
  secretMatches,
} from '../../src/security/secrets';

const key = randomBytes(32);

function flipFirstChar(part: string): string {
  return (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
}

describe('stored secret encryption', () => {
  it('gives back the original secret when decrypted with the same key', () => {
    const blob = encryptSecret('signing-secret-ünïcode', key);
    expect(decryptSecret(blob, key)).toBe('signing-secret-ünïcode');
  });

  it('produces a compact versioned blob that never contains the plain secret', () => {
    const blob = encryptSecret('plain-signing-secret', key);
    expect(blob).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(blob).not.toContain('plain-signing-secret');
  });

  it('encrypts the same secret differently each time', () => {
    expect(encryptSecret('same', key)).not.toBe(encryptSecret('same', key));
  });

  it('refuses a blob whose ciphertext was tampered with', () => {
    const [version, iv, tag, ciphertext] = encryptSecret('secret', key).split('.');
    const tampered = [version, iv, tag, flipFirstChar(ciphertext)].join('.');
    expect(() => decryptSecret(tampered, key)).toThrow(SecretDecryptionError);
  });

  it('refuses a blob whose authentication tag was cut short', () => {
    const [version, iv, tag, ciphertext] = encryptSecret('secret', key).split('.');
    const shortTag = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => decryptSecret([version, iv, shortTag, ciphertext].join('.'), key)).toThrow(
      SecretDecryptionError,
    );
  });

  it('refuses to decrypt with a different key', () => {
    const blob = encryptSecret('secret', key);
    expect(() => decryptSecret(blob, randomBytes(32))).toThrow(SecretDecryptionError);
  });

  it('refuses a blob moved to another context', () => {
    const blob = encryptSecret('secret', key, 'tenant:a');
    expect(decryptSecret(blob, key, 'tenant:a')).toBe('secret');
    expect(() => decryptSecret(blob, key, 'tenant:b')).toThrow(SecretDecryptionError);
  });

  it('refuses malformed blobs with a clear error', () => {
    for (const blob of ['', 'v1.a.b', 'v2.a.b.c', 'v1.!!.b.c', 'plain-text']) {
      expect(() => decryptSecret(blob, key)).toThrow(SecretDecryptionError);
    }
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(() => encryptSecret('secret', randomBytes(16))).toThrow(RangeError);
  });
});

describe('secret hashing', () => {
  it('matches the secret that was hashed', () => {
    const secret = randomSecret(32);
    expect(secretMatches(secret, hashSecret(secret))).toBe(true);
  });

  it('does not match a different secret', () => {
    expect(secretMatches('wrong', hashSecret('right'))).toBe(false);
  });

  it('does not match against a malformed or empty hash', () => {
    expect(secretMatches('x', '')).toBe(false);
    expect(secretMatches('x', 'zz'.repeat(32))).toBe(false);
    expect(secretMatches('x', hashSecret('x').slice(0, 62))).toBe(false);
  });

  it('is the lowercase SHA-256 hex digest of the secret', () => {
    const hash = hashSecret('abc');
    expect(hash).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('hex comparison and HMAC', () => {
  it('treats hex of different case as equal and different digits as unequal', () => {
    expect(safeEqualHex('abcdef01', 'ABCDEF01')).toBe(true);
    expect(safeEqualHex('abcdef01', 'abcdef02')).toBe(false);
  });

  it('does not accept a value that only shares a hex prefix with the expected one', () => {
    // Buffer.from('abzz', 'hex') decodes to just 0xab; the comparison must not fall for it.
    expect(safeEqualHex('abzz', 'ab00')).toBe(false);
    expect(safeEqualHex('ab', 'ab00')).toBe(false);
  });

  it('computes the lowercase hex HMAC-SHA256 the signed legacy APIs expect', () => {
    const expected = createHmac('sha256', 'k').update('M|C|1|{}').digest('hex');
    expect(hmacSha256Hex('k', 'M|C|1|{}')).toBe(expected);
    expect(hmacSha256Hex('k', Buffer.from('M|C|1|{}'))).toBe(expected);
  });

  it('makes random secrets that are base64url and distinct', () => {
    const a = randomSecret(32);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomSecret(32)).not.toBe(a);
    expect(() => randomSecret(8)).toThrow(RangeError);
  });
});
