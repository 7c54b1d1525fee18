// Started by bench/postgraphile.ts in a process of its own: the floor under the award list, a bare
// node:http server answering every request with the 50 most recently issued awards of
// ORGANIZATION_ID (template, earner and organization included) and their total, read with one
// hand-written statement through pg. No GraphQL; prints its URL when it listens.
import { createServer } from 'node:http';
import pg from 'pg';

const organizationId = process.env.ORGANIZATION_ID;
// The same pool size as our server's default.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
// The count is a scalar subquery, evaluated once, not a window over the joined rows.
const LIST = `SELECT a.id, a.status, a."recipientName", a."recipientEmail", a."issuedAt", a."expiresAt",
    t.id AS "templateId", t.name AS "templateName", t.level AS "templateLevel",
    e.id AS "earnerId", e.email AS "earnerEmail", e.name AS "earnerName",
    o.id AS "organizationId", o.name AS "organizationName",
    (SELECT count(*) FROM "Award" WHERE "organizationId" = $1)::int AS "totalCount"
  FROM "Award" a
  JOIN "BadgeTemplate" t ON t.id = a."templateId"
  JOIN "Earner" e ON e.id = a."earnerId"
  JOIN "Organization" o ON o.id = a."organizationId"
  WHERE a."organizationId" = $1
  ORDER BY a."issuedAt" DESC, a.id DESC
  LIMIT 50`;

interface Row {
  id: string; status: string; recipientName: string; recipientEmail: string; issuedAt: Date; expiresAt: Date | null;
  templateId: string; templateName: string; templateLevel: string;
  earnerId: string; earnerEmail: string; earnerName: string;
  organizationId: string; organizationName: string; totalCount: number;
}

async function awardList(): Promise<string> {
  const { rows } = await pool.query<Row>({ name: 'award-list', text: LIST, values: [organizationId] });
  return JSON.stringify({
    data: {
      awards: {
        totalCount: rows[0]?.totalCount ?? 0,
        edges: rows.map((row) => ({
          node: {
            id: row.id,
            status: row.status,
            recipientName: row.recipientName,
            recipientEmail: row.recipientEmail,
            issuedAt: row.issuedAt,
            expiresAt: row.expiresAt,
            template: { id: row.templateId, name: row.templateName, level: row.templateLevel },
            earner: { id: row.earnerId, email: row.earnerEmail, name: row.earnerName },
            organization: { id: row.organizationId, name: row.organizationName },
          },
        })),
      },
    },
  });
}

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    awardList().then(
      (body) => response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body),
      (error: Error) => response.writeHead(500).end(error.message),
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`http://127.0.0.1:${address.port}`);
});
process.once('SIGTERM', () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
});
