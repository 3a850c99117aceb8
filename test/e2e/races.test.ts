import { RegistrationEvent } from '../../src/persistence/entities';
import { canTransition, RegistrationStatus } from '../../src/domain/registration-status';
import { type TenantCredentials } from '../../src/services/tenant-service';
import { deliverSms, graphql } from '../support/clients';
import { bindInput, CUSTOMER_MOBILE, issueToken } from '../support/flows';
import { BIND_DEVICE, CUSTOMER, DECLINE_BINDING } from '../support/operations';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let tenant: TenantCredentials;
const RACES = 50;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.newTenant();
});
afterAll(() => server.close());

describe('concurrent transitions on one registration', () => {
  it(`${RACES} bindDevice vs declineBinding races end with exactly one winner each and a possible history`, async () => {
    const attempts = [];
    for (let i = 0; i < RACES; i++) {
      const attempt = await issueToken(server.url, tenant);
      await deliverSms(server.url, { from: CUSTOMER_MOBILE, content: attempt.smsContent });
      attempts.push(attempt);
    }

    const results = await Promise.all(
      attempts.map(async (attempt) => {
        const [bind, decline] = await Promise.all([
          graphql(server.url, BIND_DEVICE, { input: bindInput(attempt) }, tenant),
          graphql(
            server.url,
            DECLINE_BINDING,
            { input: { smsContent: attempt.smsContent } },
            tenant,
          ),
        ]);
        return { attempt, bind, decline };
      }),
    );

    for (const { attempt, bind, decline } of results) {
      expect([bind.status, decline.status]).toEqual([200, 200]);
      const bindWon = bind.data?.bindDevice.errors.length === 0;
      const declineWon = decline.data?.declineBinding.errors.length === 0;
      expect(Number(bindWon) + Number(declineWon)).toBe(1);
      const loserErrors = bindWon
        ? decline.data?.declineBinding.errors
        : bind.data?.bindDevice.errors;
      expect(loserErrors).toEqual([
        expect.objectContaining({ code: bindWon ? 'ALREADY_BOUND' : 'ALREADY_DECLINED' }),
      ]);

      const history = await server.app.orm.em
        .fork()
        .find(
          RegistrationEvent,
          { registrationId: attempt.registrationId },
          { orderBy: { at: 'asc' } },
        );
      const statuses = history.map((h) => h.status);
      expect(statuses).toEqual(['PENDING_SMS', 'SMS_VERIFIED', bindWon ? 'BOUND' : 'DECLINED']);
      for (let i = 1; i < statuses.length; i++)
        expect(canTransition(statuses[i - 1], statuses[i] as RegistrationStatus)).toBe(true);

      const devices = (
        await graphql(server.url, CUSTOMER, { id: attempt.merchantCustomerId }, tenant)
      ).data?.customer.devices;
      expect(devices).toHaveLength(bindWon ? 1 : 0);
    }
  }, 120_000);
});
