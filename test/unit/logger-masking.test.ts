import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';

const MOBILE = '919812345678';
const SMS = 'UPIACT 7Q2K9XWPL4M8';
const SECRET = 'sk-live-0123456789abcdef';

/** A logger writing JSON lines into memory, exactly as production builds it. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger('info', stream);
  const last = () => JSON.parse(lines[lines.length - 1]!);
  const raw = () => lines.join('');
  return { log, last, raw };
}

describe('log lines never carry a secret, a token or a full mobile number', () => {
  it('masks tenant credentials and request headers that carry them', () => {
    const { log, last, raw } = capture();
    log.info(
      {
        tenant: { id: 't-1', apiToken: SECRET, keySecret: SECRET, clientSecret: SECRET },
        req: {
          headers: {
            'x-api-key': SECRET,
            'x-api-token': SECRET,
            authorization: `Bearer ${SECRET}`,
            'router-authorization': SECRET,
          },
        },
      },
      'tenant call',
    );
    expect(raw()).not.toContain(SECRET);
    expect(last().tenant).toMatchObject({ id: 't-1', apiToken: '[redacted]' });
    // Requests are logged as method, path and id: their headers never reach a line.
    expect(last().req.headers).toBeUndefined();
  });

  it('logs a request path without its query string', () => {
    const { log, last, raw } = capture();
    log.info(
      { req: { method: 'GET', url: `/graphql?variables=${SECRET}`, id: 'r-1' } },
      'incoming request',
    );
    expect(raw()).not.toContain(SECRET);
    expect(last().req).toEqual({ method: 'GET', url: '/graphql', reqId: 'r-1' });
  });

  it('masks a mobile number one level down, keeping the record readable', () => {
    const { log, last, raw } = capture();
    log.info({ registration: { id: 'r-1', status: 'SMS_VERIFIED', mobileNumber: MOBILE } }, 'x');
    expect(raw()).not.toContain(MOBILE);
    expect(last().registration).toMatchObject({ id: 'r-1', status: 'SMS_VERIFIED' });
    expect(last().registration.mobileNumber).toBeDefined();
  });

  it('masks the SMS token and mobile number when logged at the top level', () => {
    const { log, raw } = capture();
    log.info({ smsContent: SMS, mobileNumber: MOBILE, tenantId: 't-1' }, 'token issued');
    expect(raw()).not.toContain(MOBILE);
    expect(raw()).not.toContain(SMS);
    expect(raw()).toContain('t-1');
  });

  it('masks GraphQL variables and nested request bodies however deep', () => {
    const { log, raw } = capture();
    log.warn(
      {
        body: {
          operationName: 'Bind',
          variables: { input: { smsContent: SMS, mobileNumber: MOBILE, deviceId: 'dev-1' } },
        },
      },
      'slow request',
    );
    expect(raw()).not.toContain(MOBILE);
    expect(raw()).not.toContain(SMS);
    expect(raw()).toContain('dev-1');
  });

  it("masks the aggregator's report of an SMS: its sender and its content", () => {
    const { log, last, raw } = capture();
    log.info({ sms: { messageId: 'm-1', from: MOBILE, to: '919900000001', content: SMS } }, 'x');
    expect(raw()).not.toContain(MOBILE);
    expect(raw()).not.toContain(SMS);
    expect(last().sms).toMatchObject({ messageId: 'm-1', to: '919900000001' });
  });

  it('masks mobile numbers inside arrays of records', () => {
    const { log, last, raw } = capture();
    log.info({ bindings: [{ id: 'b-1', mobileNumber: MOBILE }] }, 'x');
    expect(raw()).not.toContain(MOBILE);
    expect(last().bindings[0].id).toBe('b-1');
  });

  it('leaves the object the caller logged untouched', () => {
    const { log } = capture();
    const logged = { input: { mobileNumber: MOBILE, smsContent: SMS } };
    log.info(logged, 'x');
    expect(logged).toEqual({ input: { mobileNumber: MOBILE, smsContent: SMS } });
  });
});
