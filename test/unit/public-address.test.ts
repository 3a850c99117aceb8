import { isPublicAddress, namesNonPublicHost } from '../../src/domain/public-address';
import { publicOnlyLookup } from '../../src/events/callback-sender';

describe('public addresses', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ])('%s is not public', (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => expect(isPublicAddress(address)).toBe(true),
  );

  it('a name is never an address', () => expect(isPublicAddress('example.com')).toBe(false));

  it.each([
    ['https://localhost/cb', true],
    ['https://LOCALHOST./cb', true],
    ['https://api.localhost/cb', true],
    ['https://127.1/cb', true],
    ['https://2130706433/cb', true],
    ['https://0x7f000001/cb', true],
    ['https://[::1]:8443/cb', true],
    ['https://[::ffff:169.254.169.254]/cb', true],
    ['https://169.254.169.254/latest/meta-data', true],
    ['https://8.8.8.8/cb', false],
    ['https://sp.example.com/cb', false],
  ])('%s names a non-public host: %s', (url, expected) =>
    expect(namesNonPublicHost(new URL(url))).toBe(expected),
  );
});

describe('the callback resolver', () => {
  const resolve = (hostname: string) =>
    new Promise<{ code?: string; addresses?: unknown }>((done) =>
      publicOnlyLookup(hostname, { all: true }, (error, addresses) =>
        done(error ? { code: (error as { code?: string }).code } : { addresses }),
      ),
    );

  it('refuses a name that resolves to this host', async () => {
    expect(await resolve('localhost')).toEqual({ code: 'the host is not on the public internet' });
  });

  it('passes a public address through', async () => {
    expect(await resolve('8.8.8.8')).toEqual({ addresses: [{ address: '8.8.8.8', family: 4 }] });
  });
});
