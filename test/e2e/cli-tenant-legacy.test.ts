import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from '../support/clients';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { CUSTOMER_MOBILE } from '../support/flows';
import {
  enstageHeaders,
  JUSPAY,
  juspayHeaders,
  postLegacy,
  razorpayHeaders,
} from '../support/legacy';
import { REGISTRATION_STATUS } from '../support/operations';
import { type ServerProcess, startServerProcess } from '../support/process';
import { VMN_NUMBER, VMN_SECRET } from '../support/server';
import { basicAuthorization, requestToken } from '../support/uaepass';

const root = resolve(__dirname, '..', '..');
const SECRETS_KEY = '33'.repeat(32);
let db: TestDatabase;
let dataDir: string;
let server: ServerProcess;
let tenant: TenantCredentials;

/** An operator's path: a server process, and a tenant made with `bindery tenant create --json`. */
beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'bindery-cli-legacy-'));
  const env = {
    DATABASE_URL: db.url,
    SECRETS_KEY,
    DATA_DIR: dataDir,
    VMN_NUMBERS: VMN_NUMBER,
    VMN_WEBHOOK_SECRET: VMN_SECRET,
    DEMO_TENANT: 'false',
  };
  server = await startServerProcess(env);
  const created = spawnSync(
    process.execPath,
    [
      join(root, 'bin', 'bindery.js'),
      'tenant',
      'create',
      '--merchant-id',
      'TEST',
      '--channel-id',
      'TESTAPP',
      '--json',
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    },
  );
  expect(created.status).toBe(0);
  tenant = JSON.parse(created.stdout) as TenantCredentials;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a tenant made with the CLI', () => {
  it('is accepted by every legacy auth scheme and by GraphQL on a running server', async () => {
    // Juspay: merchant signature with the printed signing secret.
    const body = JSON.stringify({
      merchantCustomerId: 'cust.cli',
      deviceId: 'dev-cli',
      os: 'android',
    });
    const issued = await postLegacy(
      server.url,
      JUSPAY.getSmsToken,
      juspayHeaders(tenant, body),
      body,
    );
    expect(issued).toMatchObject({ status: 200, body: { status: 'SUCCESS' } });
    const smsContent = issued.body.payload.serviceProviders[0].smsContent as string;
    expect(
      (await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: smsContent })).status,
    ).toBe(200);

    // GraphQL and Enstage: API key and token.
    const polled = await graphql(
      server.url,
      REGISTRATION_STATUS,
      { deviceId: 'dev-cli', ssid: 'any' },
      tenant,
    );
    expect(polled.data?.registrationStatus.status).toBe('SMS_VERIFIED');
    const enstage = await postLegacy(
      server.url,
      '/upi-integration/upi/registration/v1/polling',
      enstageHeaders(tenant),
      '{\n    "ssid":"any",\n    "deviceId":"dev-cli"\n}',
    );
    expect(enstage).toMatchObject({
      status: 200,
      body: { status: 'SUCCESS', resCode: expect.stringMatching(/^\d+$/) },
    });

    // Razorpay: HTTP Basic with keyId and keySecret.
    const razorpay = await postLegacy(
      server.url,
      '/v1/upi/tpap/mobile/verification',
      razorpayHeaders(tenant, 'cust-rzp'),
      {
        device: {
          uuid: 'dev-rzp',
          app: 'test.merchant.upi.com',
          ssid: '123456789',
          manufacturer: 'samsung',
          model: 'Galaxy S23',
          os: 'android',
          os_version: 'Dev12345',
        },
        verification_type: 'sms',
        mobile: '919812345678',
      },
    );
    expect(razorpay).toMatchObject({ status: 200, body: { verification_type: 'sms' } });

    // UAE PASS: client credentials with spId and clientSecret.
    const token = await requestToken(server.url, {
      authorization: basicAuthorization(tenant.spId, tenant.clientSecret),
    });
    expect(token).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3600 } });
  });
});
