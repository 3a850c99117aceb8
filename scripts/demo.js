#!/usr/bin/env node
'use strict';

// A device binding and a consent, end to end, against a running Bindery: what a UPI app, the VMN
// aggregator and a service provider each do, with every status Bindery pushes over graphql-ws and
// how long after the triggering call it arrived. Plain JavaScript so it runs without a build.
const { execFile } = require('node:child_process');
const { randomBytes, randomInt } = require('node:crypto');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { promisify } = require('node:util');
const { createClient } = require('graphql-ws');
const {
  BASE_URL,
  DemoError,
  assertReachable,
  deliverSms,
  graphqlClient,
  routedWebSocket,
  statusFeed,
} = require('./demo-wire');

const env = process.env;

const started = performance.now();
let trigger = { what: 'start', at: started };
const say = (text) => process.stdout.write(`${text}\n`);
function act(what) {
  trigger = { what, at: performance.now() };
  say(`→ ${what}`);
}
function pushed(status) {
  const ms = Math.round(performance.now() - trigger.at);
  say(`  ← ${status.padEnd(13)} pushed ${String(ms).padStart(5)} ms after ${trigger.what}`);
}

/** Demo credentials from the environment, or a new tenant made by the CLI on the same database. */
async function demoTenant() {
  if (env.BINDERY_API_KEY && env.BINDERY_API_TOKEN) {
    if (!env.BINDERY_SP_ID) {
      throw new DemoError('set BINDERY_SP_ID too (the spId printed with the demo tenant)');
    }
    say('Using the tenant in BINDERY_API_KEY / BINDERY_API_TOKEN / BINDERY_SP_ID');
    return {
      apiKey: env.BINDERY_API_KEY,
      apiToken: env.BINDERY_API_TOKEN,
      spId: env.BINDERY_SP_ID,
    };
  }
  const channel = `DEMO-${randomBytes(4).toString('hex').toUpperCase()}`;
  const cli = join(__dirname, '..', 'bin', 'bindery.js');
  const args = ['tenant', 'create', '--merchant-id', 'DEMO', '--channel-id', channel, '--json'];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, ...args], {
      env,
      timeout: 60_000,
    });
    say(`Created tenant DEMO / ${channel} with the CLI (its secrets are not printed)`);
    return { ...JSON.parse(stdout), createdHere: true };
  } catch (error) {
    throw new DemoError(
      'no BINDERY_API_KEY/BINDERY_API_TOKEN given, and creating a tenant with ' +
        `\`bindery tenant create\` failed: ${(error.stderr || error.message).trim()}\n` +
        'Run the demo from the folder the server runs in, with the same DATABASE_URL and SECRETS_KEY.',
    );
  }
}

const ERRORS = 'errors { code message }';
const OPS = {
  requestSmsToken: `mutation DemoRequestSmsToken($input: RequestSmsTokenInput!) { requestSmsToken(input: $input) {
    smsContent registration { id vmn status } ${ERRORS} } }`,
  bindDevice: `mutation DemoBindDevice($input: BindDeviceInput!) { bindDevice(input: $input) {
    deviceBinding { id fingerprint } ${ERRORS} } }`,
  requestConsent: `mutation DemoRequestConsent($input: RequestConsentInput!) { requestConsent(input: $input) {
    consentTransaction { status } ${ERRORS} } }`,
  decideConsent: `mutation DemoDecideConsent($input: DecideConsentInput!) { decideConsent(input: $input) {
    consentTransaction { status } ${ERRORS} } }`,
  registrationChanged: `subscription DemoRegistration($id: ID!) { registrationStatusChanged(id: $id) { status } }`,
  consentChanged: `subscription DemoConsent($spId: String!, $tx: String!) {
    consentStatusChanged(spId: $spId, spTransactionID: $tx) { status } }`,
};

async function demo() {
  say(`Bindery demo against ${BASE_URL}`);
  await assertReachable();
  const tenant = await demoTenant();
  const graphql = graphqlClient(tenant);
  const client = createClient({
    url: `${BASE_URL.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: routedWebSocket(),
    connectionParams: { 'x-api-key': tenant.apiKey, 'x-api-token': tenant.apiToken },
    retryAttempts: 0,
  });
  try {
    const suffix = randomBytes(4).toString('hex');
    const app = {
      merchantCustomerId: `demo-customer-${suffix}`,
      deviceId: `demo-device-${suffix}`,
      os: 'android',
      ssid: `demo-sim-${suffix}`,
    };
    const mobileNumber = `9198${String(randomInt(10_000_000, 100_000_000))}`;

    act('requestSmsToken (the app asks for a token)');
    const issued = await graphql(OPS.requestSmsToken, { input: app }, 'requestSmsToken');
    const { id, vmn } = issued.registration;
    say(`  registration ${id}: the app must SMS its token to ${vmn}`);

    act('subscribing to registrationStatusChanged');
    const registration = statusFeed(
      client,
      OPS.registrationChanged,
      { id },
      'registrationStatusChanged',
      pushed,
    );
    await registration.expect('PENDING_SMS');

    act(
      `VMN aggregator reports the SMS from ${mobileNumber.slice(0, 4)}…${mobileNumber.slice(-2)}`,
    );
    await deliverSms({ from: mobileNumber, to: vmn, content: issued.smsContent });
    await registration.expect('SMS_VERIFIED');

    act('bindDevice (the app completes the binding)');
    const bound = await graphql(
      OPS.bindDevice,
      {
        input: {
          ...app,
          smsContent: issued.smsContent,
          manufacturer: 'Demo',
          model: 'Phone 1',
          osVersion: '14',
          packageName: 'demo.upi.app',
          mobileNumber,
        },
      },
      'bindDevice',
    );
    await registration.expect('BOUND');
    registration.close();
    const { fingerprint } = bound.deviceBinding;

    const tx = `demo-tx-${suffix}`;
    act('requestConsent (a service provider asks the customer)');
    const consentInput = {
      spTransactionID: tx,
      merchantCustomerId: app.merchantCustomerId,
      purpose: 'Demo KYC share',
    };
    await graphql(OPS.requestConsent, { input: consentInput }, 'requestConsent');

    act('subscribing to consentStatusChanged');
    const consent = statusFeed(
      client,
      OPS.consentChanged,
      { spId: tenant.spId, tx },
      'consentStatusChanged',
      pushed,
    );
    await consent.expect('TRIGGERED');

    act('decideConsent ACCEPT (the customer accepts on the bound device)');
    const decision = {
      spId: tenant.spId,
      spTransactionID: tx,
      decision: 'ACCEPT',
      deviceFingerprint: fingerprint,
    };
    await graphql(OPS.decideConsent, { input: decision }, 'decideConsent');
    await consent.expect('ACCEPTED');
    consent.close();

    say(`Done in ${Math.round(performance.now() - started)} ms.`);
  } finally {
    await client.dispose();
  }
}

demo().then(
  () => process.exit(0),
  (error) => {
    const message = error instanceof DemoError ? error.message : (error?.stack ?? String(error));
    process.stderr.write(`demo failed: ${message}\n`);
    process.exit(1);
  },
);
