import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** Thrown when an encrypted secret cannot be opened: wrong key, tampering or a malformed blob. */
export class SecretDecryptionError extends Error {
  constructor(reason: string) {
    super(`cannot decrypt stored secret: ${reason}`);
    this.name = 'SecretDecryptionError';
  }
}

const FORMAT_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const HEX = /^[0-9a-fA-F]*$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** A fresh random secret of `bytes` random bytes, base64url so it fits headers and URLs. */
export function randomSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16) {
    throw new RangeError('a secret needs at least 16 random bytes');
  }
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256, lowercase hex. Enough for random high-entropy secrets; not for passwords. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Constant-time equality of two hex strings. Compares decoded bytes so case does not matter;
 * the hex check comes first because Buffer.from(x, 'hex') silently stops at the first bad digit.
 */
export function safeEqualHex(a: string, b: string): boolean {
  const wellFormed =
    a.length === b.length && a.length % 2 === 0 && a.length > 0 && HEX.test(a) && HEX.test(b);
  if (!wellFormed) {
    // Spend comparable work so a malformed value is not cheaper to reject than a wrong one.
    const filler = Buffer.alloc(Math.max(1, Math.floor(b.length / 2)));
    timingSafeEqual(filler, filler);
    return false;
  }
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** Does `secret` hash to `hash`? Constant-time in the secret's content. */
export function secretMatches(secret: string, hash: string): boolean {
  return safeEqualHex(hashSecret(secret), hash);
}

/** Lowercase hex HMAC-SHA256, as the signed legacy APIs expect. */
export function hmacSha256Hex(secret: string, message: string | Buffer): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new RangeError('the secrets key must be 32 bytes');
}

/**
 * AES-256-GCM; the result is `v1.<iv>.<tag>.<ciphertext>` in base64url. `context` is bound as
 * associated data, so a blob copied to another row (another context) does not decrypt there.
 */
export function encryptSecret(plain: string, key: Buffer, context = ''): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
  return [FORMAT_VERSION, ...parts].join('.');
}

/** Opens a blob made by `encryptSecret` with the same key and context, or throws. */
export function decryptSecret(blob: string, key: Buffer, context = ''): string {
  checkKey(key);
  const parts = blob.split('.');
  if (parts.length !== 4 || parts[0] !== FORMAT_VERSION) {
    throw new SecretDecryptionError('unknown format');
  }
  if (!parts.slice(1).every((p) => BASE64URL.test(p))) {
    throw new SecretDecryptionError('malformed encoding');
  }
  const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
  // GCM accepts shortened tags unless told otherwise; insist on the full 16 bytes.
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretDecryptionError('malformed header');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError('wrong key or tampered data');
  }
}
