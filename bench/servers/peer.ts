import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';

/**
 * The peer: what any Apollo subgraph costs before it does any work of its own. It serves
 * Bindery's own emitted SDL (so parsing and validating the query costs the same) and answers
 * registration(id) from memory: no authentication, no database, no Fastify.
 */
async function main(): Promise<void> {
  const registration = JSON.parse(process.env.BENCH_REGISTRATION ?? 'null') as {
    id: string;
  } | null;
  const schema = buildSubgraphSchema({
    typeDefs: parse(readFileSync(process.env.BENCH_SDL_FILE!, 'utf8')),
    resolvers: {
      Query: {
        registration: (_: unknown, args: { id: string }) =>
          registration && registration.id === args.id ? registration : null,
      },
    },
  });
  const server = new ApolloServer({ schema });
  await startStandaloneServer(server, {
    listen: { port: Number(process.env.BENCH_PORT), host: '127.0.0.1' },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`peer: ${(error as Error).stack}\n`);
  process.exit(1);
});
