import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** DATABASE_URL when it names PostgreSQL, else the server every machine of this project runs. */
export function postgresServerUrl(): string {
  const given = process.env.DATABASE_URL;
  return given && /^postgres(ql)?:\/\//.test(given)
    ? given
    : 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Runs `work` on one fresh connection to `url`, closed afterwards whatever happens. */
export async function onPostgres<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface PostgresDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, uniquely named database on `server`; drop() ends its connections and removes it. */
export async function createPostgresDatabase(
  server = postgresServerUrl(),
  prefix = 'bindery_t',
): Promise<PostgresDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onPostgres(server, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await onPostgres(server, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
