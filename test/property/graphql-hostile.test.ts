import fc from 'fast-check';
import { CASES } from '../support/hostile/graphql-cases';
import { GraphqlJudge, sendOperation } from '../support/hostile/graphql-judge';
import { type Operation, OPERATIONS } from '../support/hostile/graphql-operations';
import { PROBES } from '../support/hostile/graphql-probes';
import { foreignKeysAnswerLikeRandomKeys, victimState } from '../support/hostile/invariants';
import { IN_FLIGHT, SEED, Violations } from '../support/hostile/report';
import { startHostileServer, world } from '../support/hostile/world';
import { type TestServer } from '../support/server';

/**
 * Every query and mutation of the contract (and the federation `_entities` field) is sent
 * generated malformed and hostile variables. Whatever comes in, the answer is a 4xx with
 * GraphQL errors or a 200 whose errors are UserErrors (mutations) or whose data is null (queries);
 * never a 5xx or an internal error; rejected input changes no row of any table; and another
 * tenant's keys reveal nothing: they answer exactly like random keys.
 */

fc.configureGlobal({ seed: SEED, endOnFailure: true });
jest.setTimeout(120_000);

/** Batches per operation: 12 operations × 56 batches × 8 inputs, plus 320 tenant probes. */
const BATCHES_PER_OPERATION = 56;
const TENANT_PROBES = 160;
const MIN_INPUTS = 5_000;

let server: TestServer;
let judge: GraphqlJudge;

beforeAll(async () => {
  server = await startHostileServer();
  await world.seed(server);
  judge = new GraphqlJudge(server);
});

afterAll(() => server?.close());

describe('hostile GraphQL input', () => {
  it("another tenant's keys answer exactly like random keys, for every operation that takes one", async () => {
    judge.violations = new Violations();
    await foreignKeysAnswerLikeRandomKeys({
      probes: PROBES,
      subject: (p) => p.op,
      ask: (p, key) => sendOperation(server.url, p.op, p.variables(key), 'A'),
      request: (p, key) => p.variables(key),
      totalProbes: TENANT_PROBES,
      counter: judge.counter,
      violations: judge.violations,
    });
    expect(judge.violations.report()).toEqual({});
  });

  it.each(Object.keys(CASES) as Operation[])(
    '%s: no 5xx, only refusals or legitimate answers, no rows changed by rejected input',
    async (op) => {
      judge.violations = new Violations();
      await fc.assert(
        fc.asyncProperty(
          fc.array(CASES[op], { minLength: IN_FLIGHT, maxLength: IN_FLIGHT }),
          (cases) => judge.runBatch(cases),
        ),
        { numRuns: BATCHES_PER_OPERATION },
      );
      expect(judge.violations.report()).toEqual({});
    },
  );

  it("left the other tenant's data as it was", async () => {
    const state = await victimState(server.app.orm, world);
    expect(state.registrations).toEqual(['BOUND', 'SMS_VERIFIED', 'PENDING_SMS']);
    expect(state.binding).toBe('ACTIVE');
    expect(state.consent).toBe('TRIGGERED');
  });

  it(`sent at least ${MIN_INPUTS} generated inputs, reaching past validation on every operation`, () => {
    const { counter, reach } = judge;
    console.log(
      JSON.stringify({
        suite: 'graphql-hostile',
        inputs: counter.total,
        perOperation: counter.perOperation,
      }),
    );
    expect(counter.total).toBeGreaterThanOrEqual(MIN_INPUTS);
    for (const op of Object.keys(OPERATIONS) as Operation[]) {
      const seen = reach[op];
      // Every operation saw refusals of its input and inputs that reached the service's rules;
      // all but decline and decide (no state of the attacker's lets those succeed) saw answers.
      expect([op, seen.refusedAsInvalid > 0, seen.answered + seen.refusedByRules > 0]).toEqual([
        op,
        true,
        true,
      ]);
      if (op !== 'declineBinding' && op !== 'decideConsent')
        expect([op, seen.answered > 0]).toEqual([op, true]);
    }
  });
});
