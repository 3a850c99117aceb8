import fc from 'fast-check';
import { foreignKeysAnswerLikeRandomKeys, victimState } from '../support/hostile/invariants';
import { IN_FLIGHT, SEED, Violations } from '../support/hostile/report';
import { routeCase } from '../support/hostile/rest-cases';
import { RestJudge } from '../support/hostile/rest-judge';
import { PROBES, probeCase } from '../support/hostile/rest-probes';
import { RestRequests } from '../support/hostile/rest-requests';
import { type Route, ROUTES } from '../support/hostile/rest-routes';
import { startHostileServer, world } from '../support/hostile/world';
import { type TestServer } from '../support/server';

/**
 * Every legacy REST route is sent generated malformed and hostile requests: wrong types, odd
 * Unicode, huge strings, nested JSON, malformed JSON, wrong content types, missing, wrong and
 * mixed credentials, bad signatures, stale timestamps, replays, other tenants' keys. Whatever
 * comes in, the answer is a 4xx in the family's own error shape or one of the family's
 * documented 2xx answers; never a 5xx; rejected requests change no row of any table; another
 * tenant's keys answer exactly like random keys.
 */

fc.configureGlobal({ seed: SEED, endOnFailure: true });
jest.setTimeout(120_000);

/** Batches per route: 10 routes × 60 batches × 8 requests, plus replays and tenant probes. */
const BATCHES_PER_ROUTE = 60;
const TENANT_PROBES = 160;
const MIN_INPUTS = 5_000;

let server: TestServer;
let requests: RestRequests;
let judge: RestJudge;

beforeAll(async () => {
  server = await startHostileServer();
  await world.seed(server);
  requests = new RestRequests(server);
  judge = new RestJudge(server, requests);
});

afterAll(() => server?.close());

describe('hostile legacy REST requests', () => {
  beforeEach(() => requests.connectUaePass());

  it("another tenant's keys answer exactly like random keys, on every route that takes one", async () => {
    judge.violations = new Violations();
    await foreignKeysAnswerLikeRandomKeys({
      probes: PROBES,
      subject: (p) => p.route,
      ask: (p, key) => {
        const c = probeCase(p, key);
        return requests.post(p.route, requests.authHeaders(c), c);
      },
      request: (p, key) => p.body(key),
      totalProbes: TENANT_PROBES,
      counter: judge.counter,
      violations: judge.violations,
    });
    expect(judge.violations.report()).toEqual({});
  });

  it.each(Object.keys(ROUTES) as Route[])(
    '%s: no 5xx, refusals in the family shape, documented 2xx only, no rows changed by rejected input',
    async (route) => {
      judge.violations = new Violations();
      await fc.assert(
        fc.asyncProperty(
          fc.array(routeCase(route), { minLength: IN_FLIGHT, maxLength: IN_FLIGHT }),
          (cases) => judge.runBatch(cases),
        ),
        { numRuns: BATCHES_PER_ROUTE },
      );
      expect(judge.violations.report()).toEqual({});
    },
  );

  it("left the other tenant's data as it was", async () => {
    const state = await victimState(server.app.orm, world);
    expect(state.registrations).toEqual(['BOUND', 'SMS_VERIFIED', 'PENDING_SMS']);
    expect(state.consent).toBe('TRIGGERED');
  });

  it(`sent at least ${MIN_INPUTS} generated requests, some refused and some answered on every route`, () => {
    const { counter, reach } = judge;
    console.log(
      JSON.stringify({
        suite: 'rest-hostile',
        inputs: counter.total,
        perOperation: counter.perOperation,
      }),
    );
    expect(counter.total).toBeGreaterThanOrEqual(MIN_INPUTS);
    for (const route of Object.keys(ROUTES)) {
      const seen = reach[route];
      expect([route, seen?.refused > 0, seen?.answered > 0]).toEqual([route, true, true]);
    }
  });
});
