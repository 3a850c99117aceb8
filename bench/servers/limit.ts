import { createServer } from 'node:http';

/**
 * The limit: a bare Node HTTP server that reads the request and answers bytes held in memory.
 * Nothing on this machine answers the same request faster, so Bindery's figures are shares of it.
 * BENCH_ANSWERS: [{ path, match?, body }]; the first whose path matches and whose `match` the
 * request body contains is sent, so one server can stand in for a multi-step flow.
 */
interface CannedAnswer {
  path: string;
  match?: string;
  body: string;
}

const answers = JSON.parse(process.env.BENCH_ANSWERS ?? '[]') as CannedAnswer[];
const encoded = answers.map((a) => ({ ...a, bytes: Buffer.from(a.body) }));

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0];
    const answer = encoded.find((a) => a.path === path && (!a.match || body.includes(a.match)));
    if (!answer) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': answer.bytes.length,
    });
    res.end(answer.bytes);
  });
}).listen(Number(process.env.BENCH_PORT), '127.0.0.1');
