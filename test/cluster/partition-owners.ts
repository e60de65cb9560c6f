import type pg from 'pg';

/** Advisory-lock class of the partition locks ('NRX' 2: src/store/postgres/partition-locks.ts). */
const PARTITION_CLASS = 0x4e525802;

/** partition -> rules node name, read from PostgreSQL's own lock table (what the nodes hold, not what they say). */
export async function partitionOwners(db: pg.Client): Promise<Map<number, string>> {
  const r = await db.query<{ p: number; name: string }>(
    `SELECT l.objid::int AS p, replace(a.application_name, 'netreflex ', '') AS name
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid::bigint = $1`,
    [PARTITION_CLASS],
  );
  return new Map(r.rows.map((row) => [row.p, row.name]));
}
