// type-graphql reads decorator metadata while the resolver modules load: this import goes first.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { printBinderySdl } from '../src/graphql/schema';

const target = resolve(__dirname, '../schema/subgraph.graphql');

printBinderySdl()
  .then((sdl) => {
    writeFileSync(target, sdl);
    console.log(`wrote ${target}`);
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
