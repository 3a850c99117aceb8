#!/usr/bin/env node
'use strict';

// Plain JavaScript so the command starts without ts-node; the TypeScript lives in dist/ after a build.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');

if (!existsSync(compiled)) {
  process.stderr.write(
    `bindery: the compiled CLI is missing (${compiled}).\n` +
      'Run `npm run build` in the project directory first.\n',
  );
  process.exit(1);
}

require(compiled)
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
