import { createHash, randomInt } from 'node:crypto';

export const SMS_TOKEN_PREFIX = 'UPIACT ';
/** NPCI requires the SMS body to be at least 35 characters. */
export const SMS_TOKEN_MIN_LENGTH = 35;
export const SMS_CONTENT_MAX_LENGTH = 160;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const RANDOM_LENGTH = 32;

/** `UPIACT ` + 32 uniformly random base-36 characters (about 165 bits): 39 characters. */
export function generateSmsToken(): string {
  let body = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) body += ALPHABET[randomInt(ALPHABET.length)];
  return SMS_TOKEN_PREFIX + body;
}

/** The SMS body as the aggregator or the app reports it: surrounding white space is not part of it. */
export function normalizeSmsContent(content: string): string {
  return content.trim().replace(/\s+/g, ' ');
}

export function hashSmsToken(content: string): string {
  return createHash('sha256').update(normalizeSmsContent(content), 'utf8').digest('hex');
}
