import { randomBytes, randomUUID } from 'node:crypto';
import { type GraphQLSchema, graphql, print, type TypedQueryDocumentNode } from 'graphql';
import { InProcessEventBus } from '../../src/events/pubsub';
import { createGraphqlContext } from '../../src/graphql/context';
import { buildBinderySchema } from '../../src/graphql/schema';
import { type Orm } from '../../src/persistence/orm';
import { type Caller, type Services, createServices } from '../../src/services';
import { TenantService } from '../../src/services/tenant-service';
import {
  BindDeviceDocument,
  ConsentTransactionEntitiesDocument,
  DeviceBindingEntitiesDocument,
  RegistrationEntitiesDocument,
  RequestConsentDocument,
  RequestSmsTokenDocument,
} from '../generated/graphql';
import { openMigratedOrm, type TestDatabase } from '../support/database';
import { serviceConfig } from '../support/service-config';

const VMN = '919900000001';
const MOBILE = '919812345678';
const SIZE = 100;

let orm: Orm;
let db: TestDatabase;
let services: Services;
let schema: GraphQLSchema;
let owner: Caller;
let stranger: Caller;
/** SQL statements run while a test listens; null when nobody does. */
let statements: string[] | null = null;

async function newTenant(tenants: TenantService): Promise<Caller> {
  const merchantId = `M${randomBytes(4).toString('hex')}`;
  const { spId } = await tenants.createTenant({ merchantId, merchantChannelId: 'APP' });
  const tenant = await tenants.findByMerchant(merchantId, 'APP');
  return { tenantId: tenant!.id, merchantId, merchantChannelId: 'APP', spId };
}

/** Executes a generated document as Bindery's HTTP endpoint would: parsed, validated, one context. */
async function run<Result, Variables>(
  caller: Caller,
  document: TypedQueryDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const result = await graphql({
    schema,
    source: print(document),
    variableValues: variables as Record<string, unknown>,
    contextValue: createGraphqlContext(services, caller),
  });
  expect(result.errors).toBeUndefined();
  return result.data as Result;
}

interface Seeded {
  registrationId: string;
  bindingId: string;
  spTransactionID: string;
}

/** A customer whose SMS token was verified and bound, and who was then asked for consent. */
async function seedCustomer(): Promise<Seeded> {
  const tag = randomUUID();
  const merchantCustomerId = `cust-${tag}`;
  const device = {
    merchantCustomerId,
    deviceId: `device-${tag}`,
    os: 'android',
    ssid: `sim-${tag}`,
  };
  const { requestSmsToken } = await run(owner, RequestSmsTokenDocument, { input: device });
  const { registration, smsContent } = requestSmsToken;
  const receivedAt = new Date().toISOString();
  const sms = { messageId: tag, from: MOBILE, to: VMN, content: smsContent!, receivedAt };
  expect((await services.inboundSms.accept(sms)).ok).toBe(true);
  const phone = { manufacturer: 'Acme', model: 'A1', osVersion: '14', packageName: 'com.example' };
  const input = {
    ...device,
    ...phone,
    ssid: device.ssid,
    smsContent: smsContent!,
    mobileNumber: MOBILE,
  };
  const { bindDevice } = await run(owner, BindDeviceDocument, { input });
  const spTransactionID = `tx-${tag}`;
  const consent = { spTransactionID, merchantCustomerId, purpose: 'Pay 10 AED' };
  const { requestConsent } = await run(owner, RequestConsentDocument, { input: consent });
  expect(requestConsent.errors).toEqual([]);
  return {
    registrationId: registration!.id,
    bindingId: bindDevice.deviceBinding!.id,
    spTransactionID,
  };
}

let seeded: Seeded[];

beforeAll(async () => {
  ({ orm, db } = await openMigratedOrm({ onQuery: (sql) => statements?.push(sql) }));
  services = createServices(
    { orm, config: serviceConfig(), clock: () => new Date() },
    new InProcessEventBus(),
  );
  schema = await buildBinderySchema();
  const tenants = new TenantService({ orm, secretsKey: randomBytes(32) });
  [owner, stranger] = [await newTenant(tenants), await newTenant(tenants)];
  seeded = [];
  for (let i = 0; i < SIZE; i++) seeded.push(await seedCustomer());
}, 120_000);

afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

/** The tables the listened statements read, in order. */
async function tablesRead(during: () => Promise<unknown>): Promise<string[]> {
  statements = [];
  try {
    await during();
    return statements.map((sql) => /\bfrom [`"](\w+)[`"]/i.exec(sql)?.[1] ?? sql);
  } finally {
    statements = null;
  }
}

type Representation = { __typename: string; [key: string]: unknown };
type EntitiesDocument = TypedQueryDocumentNode<
  { _entities: readonly unknown[] },
  { representations: Representation[] }
>;

interface EntityCase {
  type: string;
  table: string;
  document: EntitiesDocument;
  representation(row: Seeded): Representation;
  /** What the owner's tenant gets back for the row. */
  entity(row: Seeded): Record<string, unknown>;
}

const CASES: EntityCase[] = [
  {
    type: 'Registration',
    table: 'registration',
    document: RegistrationEntitiesDocument,
    representation: (row) => ({ __typename: 'Registration', id: row.registrationId }),
    entity: (row) => ({ __typename: 'Registration', id: row.registrationId, status: 'BOUND' }),
  },
  {
    type: 'DeviceBinding',
    table: 'device_binding',
    document: DeviceBindingEntitiesDocument,
    representation: (row) => ({ __typename: 'DeviceBinding', id: row.bindingId }),
    entity: (row) => ({ __typename: 'DeviceBinding', id: row.bindingId, status: 'ACTIVE' }),
  },
  {
    type: 'ConsentTransaction',
    table: 'consent_transaction',
    document: ConsentTransactionEntitiesDocument,
    representation: (row) => ({
      __typename: 'ConsentTransaction',
      spId: owner.spId,
      spTransactionID: row.spTransactionID,
    }),
    entity: (row) => ({
      __typename: 'ConsentTransaction',
      spId: owner.spId,
      spTransactionID: row.spTransactionID,
      status: 'TRIGGERED',
    }),
  },
];

describe(`_entities with ${SIZE} representations of one type`, () => {
  it.each(CASES.map((entityCase) => [entityCase.type, entityCase] as const))(
    'resolves %s in order with a single SQL query on its table',
    async (_type, { table, document, representation, entity }) => {
      let answer: { _entities: readonly unknown[] } | undefined;
      const tables = await tablesRead(async () => {
        answer = await run(owner, document, { representations: seeded.map(representation) });
      });

      expect(answer?._entities).toEqual(seeded.map(entity));
      expect(tables).toEqual([table]);
    },
  );

  it.each(CASES.map((entityCase) => [entityCase.type, entityCase] as const))(
    'answers null for every %s of another tenant, still with a single query',
    async (_type, { table, document, representation }) => {
      let answer: { _entities: readonly unknown[] } | undefined;
      const tables = await tablesRead(async () => {
        answer = await run(stranger, document, { representations: seeded.map(representation) });
      });

      expect(answer?._entities).toEqual(seeded.map(() => null));
      expect(tables).toEqual([table]);
    },
  );
});
