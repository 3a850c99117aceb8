import { InProcessEventBus } from '../../src/events/pubsub';
import { type Orm } from '../../src/persistence/orm';
import { type Caller, createServices } from '../../src/services';
import { openMigratedOrm, type TestDatabase } from '../support/database';
import { seedCaller } from '../support/tenants';
import { serviceConfig } from '../support/service-config';

let orm: Orm;
let db: TestDatabase;
let caller: Caller;

beforeAll(async () => {
  ({ orm, db } = await openMigratedOrm());
  caller = await seedCaller(orm);
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

describe('the SMS token attempt limit', () => {
  it('holds under concurrency: of 20 simultaneous requests for one device, exactly 3 get a token', async () => {
    const config = serviceConfig();
    const services = createServices(
      { orm, config, clock: () => new Date() },
      new InProcessEventBus(),
    );
    // More requests than the pool has connections: the lock must not need a second connection.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        services.registrations.requestSmsToken(caller, {
          merchantCustomerId: `c-${i}`,
          deviceId: 'one-device',
          os: 'android',
        }),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(3);
    for (const refused of outcomes.filter((o) => !o.ok)) {
      expect(refused).toEqual({
        ok: false,
        errors: [expect.objectContaining({ code: 'ATTEMPT_LIMIT_EXCEEDED' })],
      });
    }
  }, 60_000);
});
