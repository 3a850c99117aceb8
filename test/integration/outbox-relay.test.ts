import { OutboxRelay } from '../../src/events/outbox-relay';
import { InProcessEventBus, type PublishedEvent } from '../../src/events/pubsub';
import { createLogger } from '../../src/logger';
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

const config = serviceConfig();

describe('outbox relay', () => {
  it('publishes changes committed while no relay ran (as after a crash), in order, and each once', async () => {
    const bus = new InProcessEventBus();
    const services = createServices({ orm, config, clock: () => new Date() }, bus);
    const issued = await services.registrations.requestSmsToken(caller, {
      merchantCustomerId: 'c1',
      deviceId: 'd1',
      os: 'android',
    });
    if (!issued.ok) throw new Error('issue failed');
    await services.registrations.declineBinding(caller, { smsContent: issued.value.smsContent });

    const heard: PublishedEvent[] = [];
    bus.subscribe((event) => heard.push(event));
    const relay = new OutboxRelay(orm, bus, createLogger('silent'), 1000);
    expect(await relay.drain()).toBe(2);
    expect(heard.map((e) => [e.aggregateId, e.status])).toEqual([
      [issued.value.registration.id, 'PENDING_SMS'],
      [issued.value.registration.id, 'DECLINED'],
    ]);
    expect(await relay.drain()).toBe(0);
    expect(heard).toHaveLength(2);
  });

  it('two relays draining at once publish every row exactly once', async () => {
    const bus = new InProcessEventBus();
    const services = createServices({ orm, config, clock: () => new Date() }, bus);
    for (let i = 0; i < 20; i++) {
      await services.registrations.requestSmsToken(caller, {
        merchantCustomerId: 'c2',
        deviceId: `d2-${i}`,
        os: 'android',
      });
    }
    const heard: string[] = [];
    bus.subscribe((event) => heard.push(event.eventId));
    const log = createLogger('silent');
    const [a, b] = await Promise.all([
      new OutboxRelay(orm, bus, log, 1000).drain(),
      new OutboxRelay(orm, bus, log, 1000).drain(),
    ]);
    expect(a + b).toBe(20);
    expect(new Set(heard).size).toBe(20);
    expect(heard).toHaveLength(20);
  });
});
