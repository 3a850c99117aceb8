#!/usr/bin/env node
'use strict';

// Composes deploy/router/supergraph.graphql from the emitted subgraph SDL, as
// `rover supergraph compose --config deploy/router/supergraph.yaml` would, with the same
// @apollo/composition the federation tests use (rover is a downloaded binary; this needs none).
// `--check` only compares, for CI: the router must never serve a supergraph older than the schema.
const { composeServices } = require('@apollo/composition');
const { parse } = require('graphql');
const prettier = require('prettier');
const { readFileSync, writeFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const target = join(root, 'deploy', 'router', 'supergraph.graphql');
// Kept equal to deploy/router/supergraph.yaml.
const SUBGRAPH = {
  name: 'bindery',
  url: 'http://bindery:4000/graphql',
  schema: join(root, 'schema', 'subgraph.graphql'),
};

async function main() {
  const result = composeServices([
    {
      name: SUBGRAPH.name,
      url: SUBGRAPH.url,
      typeDefs: parse(readFileSync(SUBGRAPH.schema, 'utf8')),
    },
  ]);
  if (result.errors) {
    process.stderr.write(
      `composition failed:\n${result.errors.map((e) => e.message).join('\n')}\n`,
    );
    process.exit(1);
  }
  // Formatted as the repository's prettier check expects every .graphql file to be.
  const options = await prettier.resolveConfig(target);
  const supergraph = await prettier.format(result.supergraphSdl, { ...options, filepath: target });

  if (process.argv.includes('--check')) {
    const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
    if (current !== supergraph) {
      process.stderr.write(`${target} is stale: run npm run supergraph:compose\n`);
      process.exit(1);
    }
    process.stdout.write(`${target} matches schema/subgraph.graphql\n`);
  } else {
    writeFileSync(target, supergraph);
    process.stdout.write(`wrote ${target}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
