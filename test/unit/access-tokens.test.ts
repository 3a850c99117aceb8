import { randomBytes } from 'node:crypto';
import { AccessTokenStore } from '../../src/rest/uaepass/access-tokens';

const key = randomBytes(32);
const tenant = { id: 'tenant-1', spId: 'sp-1' };

describe('UAE PASS access tokens', () => {
  it('are accepted by another instance sharing SECRETS_KEY until they expire', () => {
    const { token, grant } = new AccessTokenStore(key).issue(tenant, 1_000);
    const elsewhere = new AccessTokenStore(key);
    expect(elsewhere.find(token, 2_000)).toEqual(grant);
    expect(elsewhere.find(token, grant.expiresAtMs)).toBeNull();
  });

  it('are refused under another key, tampered with, or malformed', () => {
    const { token } = new AccessTokenStore(key).issue(tenant, 1_000);
    expect(new AccessTokenStore(randomBytes(32)).find(token, 2_000)).toBeNull();
    const [body, mac] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ t: 'tenant-2', s: 'sp-2', e: 9e15, n: 'x' }),
    ).toString('base64url');
    expect(new AccessTokenStore(key).find(`${forged}.${mac}`, 2_000)).toBeNull();
    for (const bad of ['', 'x', `${body}.`, `${body}.${mac}.x`, 'a'.repeat(600)]) {
      expect(new AccessTokenStore(key).find(bad, 2_000)).toBeNull();
    }
  });

  it('differ on every issue', () => {
    const store = new AccessTokenStore(key);
    expect(store.issue(tenant, 1_000).token).not.toBe(store.issue(tenant, 1_000).token);
  });
});
