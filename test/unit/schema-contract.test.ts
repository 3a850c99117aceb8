import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type DocumentNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  Kind,
  buildASTSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  parse,
  print,
} from 'graphql';
import { buildBinderySchema, printBinderySdl } from '../../src/graphql/schema';

const CONTRACT_PATH = path.resolve(__dirname, '../../../shared/contract/schema.graphql');
const EMITTED_PATH = path.resolve(__dirname, '../../schema/subgraph.graphql');

function contractDocument(): DocumentNode {
  return parse(readFileSync(CONTRACT_PATH, 'utf8'));
}

function defaultOf(arg: GraphQLArgument | GraphQLInputField): string | undefined {
  return arg.astNode?.defaultValue ? print(arg.astNode.defaultValue) : undefined;
}

/** Every way `actual` fails to keep what `expected` promises, as sentences; [] when it keeps all. */
function contractGaps(expected: GraphQLSchema, actual: GraphQLSchema): string[] {
  const gaps: string[] = [];
  const compareDescription = (where: string, want?: string | null, got?: string | null) => {
    if (want && want !== got) gaps.push(`${where}: description "${got}" instead of "${want}"`);
  };
  const compareInputs = (
    where: string,
    wanted: readonly (GraphQLArgument | GraphQLInputField)[],
    got: readonly (GraphQLArgument | GraphQLInputField)[],
  ) => {
    for (const want of wanted) {
      const have = got.find((candidate) => candidate.name === want.name);
      if (!have) {
        gaps.push(`${where}(${want.name}) is missing`);
        continue;
      }
      if (String(have.type) !== String(want.type)) {
        gaps.push(`${where}(${want.name}) is ${String(have.type)}, not ${String(want.type)}`);
      }
      if (defaultOf(have) !== defaultOf(want)) {
        gaps.push(`${where}(${want.name}) defaults to ${defaultOf(have)}, not ${defaultOf(want)}`);
      }
      compareDescription(`${where}(${want.name})`, want.description, have.description);
    }
    for (const extra of got) {
      const required = isNonNullType(extra.type) && defaultOf(extra) === undefined;
      if (required && !wanted.some((want) => want.name === extra.name)) {
        gaps.push(`${where}(${extra.name}) is required but not in the contract`);
      }
    }
  };
  const compareFields = (
    type: string,
    wanted: Record<string, GraphQLField<unknown, unknown>>,
    got: Record<string, GraphQLField<unknown, unknown>>,
  ) => {
    for (const want of Object.values(wanted)) {
      const have = got[want.name];
      const where = `${type}.${want.name}`;
      if (!have) {
        gaps.push(`${where} is missing`);
        continue;
      }
      if (String(have.type) !== String(want.type)) {
        gaps.push(`${where} is ${String(have.type)}, not ${String(want.type)}`);
      }
      compareDescription(where, want.description, have.description);
      compareInputs(where, want.args, have.args);
    }
  };

  for (const want of Object.values(expected.getTypeMap()) as GraphQLNamedType[]) {
    if (want.name.startsWith('__') || isSpecifiedScalarType(want)) continue;
    const have = actual.getType(want.name);
    if (!have) {
      gaps.push(`type ${want.name} is missing`);
      continue;
    }
    if (have.constructor !== want.constructor) {
      gaps.push(`${want.name} is a ${have.constructor.name}, not a ${want.constructor.name}`);
      continue;
    }
    compareDescription(want.name, want.description, have.description);
    if (
      (isObjectType(want) || isInterfaceType(want)) &&
      (isObjectType(have) || isInterfaceType(have))
    ) {
      compareFields(want.name, want.getFields(), have.getFields());
    }
    if (isInputObjectType(want) && isInputObjectType(have)) {
      compareInputs(want.name, Object.values(want.getFields()), Object.values(have.getFields()));
    }
    if (isEnumType(want) && isEnumType(have)) {
      for (const value of want.getValues()) {
        const kept = have.getValue(value.name);
        if (!kept) gaps.push(`${want.name}.${value.name} is missing`);
        else compareDescription(`${want.name}.${value.name}`, value.description, kept.description);
      }
    }
  }
  return gaps;
}

/** `@key(...)` directives of each object type, printed, from an SDL document. */
function keysByType(document: DocumentNode): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const found = (definition.directives ?? []).filter((d) => d.name.value === 'key').map(print);
    if (found.length > 0) keys[definition.name.value] = found.sort();
  }
  return keys;
}

/** The federation `@link` of an SDL document, printed. */
function federationLinks(document: DocumentNode): string[] {
  return document.definitions
    .filter((definition) => definition.kind === Kind.SCHEMA_EXTENSION)
    .flatMap((definition) => definition.directives ?? [])
    .filter((directive) => directive.name.value === 'link')
    .map(print);
}

test('the emitted SDL matches schema/subgraph.graphql', async () => {
  // On failure run `npm run schema:emit` and commit the result.
  expect(await printBinderySdl()).toBe(readFileSync(EMITTED_PATH, 'utf8'));
});

test('every type, field, argument, enum value and nullability of the contract is in the emitted schema', async () => {
  const contract = buildASTSchema(contractDocument(), { assumeValidSDL: true });
  expect(contractGaps(contract, await buildBinderySchema())).toEqual([]);
});

test('the entities keep the contract’s federation keys and the schema its federation link', async () => {
  const emitted = parse(await printBinderySdl());
  expect(keysByType(emitted)).toMatchObject(keysByType(contractDocument()));
  expect(federationLinks(emitted)).toEqual(federationLinks(contractDocument()));
});
