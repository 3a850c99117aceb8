import { ExpirySweeper } from '../../src/events/expiry-sweeper';
import { InProcessEventBus } from '../../src/events/pubsub';
import { createLogger } from '../../src/logger';
import { OutboxEvent, RegistrationEvent } from '../../src/persistence/entities';
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

describe('expiry sweeper', () => {
  it('three instances sweeping at once expire each overdue registration exactly once', async () => {
    const issuedAt = new Date();
    const config = serviceConfig({ registrationTtlSeconds: 60 });
    const services = createServices(
      { orm, config, clock: () => issuedAt },
      new InProcessEventBus(),
    );
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const issued = await services.registrations.requestSmsToken(caller, {
        merchantCustomerId: `c-${i}`,
        deviceId: `d-${i}`,
        os: 'android',
      });
      if (!issued.ok) throw new Error('issue failed');
      ids.push(issued.value.registration.id);
    }

    const later = () => new Date(issuedAt.getTime() + 61_000);
    const log = createLogger('silent');
    const sweepers = [1, 2, 3].map(() => new ExpirySweeper(orm, later, log, 1000));
    const expired = await Promise.all(sweepers.map((sweeper) => sweeper.sweep()));
    expect(expired.reduce((a, b) => a + b, 0)).toBe(30);

    const em = orm.em.fork();
    for (const id of ids) {
      const history = await em.find(RegistrationEvent, { registrationId: id });
      expect(history.map((h) => h.status).sort()).toEqual(['EXPIRED', 'PENDING_SMS']);
      const events = await em.find(OutboxEvent, { aggregateId: id });
      expect(events.filter((e) => JSON.parse(e.payload).status === 'EXPIRED')).toHaveLength(1);
    }
  });
});
