#!/usr/bin/env node
// Read-your-writes on a hot standby with node-postgres (npm "pg") and pg_readscale.
//
// Writes a row on the primary and takes the token from the ParameterStatus
// message PostgreSQL sends with the commit (the reported GUC
// readscale.last_commit_lsn; node-postgres's connection emits
// 'parameterStatus' for it), falling back to readscale.current_token(). Then it
// reads the row on the standby after readscale.wait_for_lsn(), and inside a
// transaction gated by SET LOCAL readscale.min_lsn. On the documented SQLSTATEs
// (docs/sqlstates.md) the read goes to the primary instead.
//
//   node read_your_writes.js PRIMARY_URL STANDBY_URL [TIMEOUT]
//
// Prints one line per step and "ok: ..." at the end; exits 1 if a read missed
// its write. test/clients/run runs it against a real primary and standby.
'use strict';

const { Client, escapeLiteral } = require('pg');

// SQLSTATEs after which the primary answers instead (docs/sqlstates.md).
const FALL_BACK_ON = {
  '55R01': 'not caught up in time',
  '55R02': 'staleness bound exceeded',
  '55R03': 'token refused',
};

const READ = 'SELECT item FROM readscale_example WHERE id = $1';

// Remembers the last reported readscale.last_commit_lsn of a connection.
function trackToken(client) {
  const state = { token: null };
  client.connection.on('parameterStatus', (msg) => {
    if (msg.parameterName === 'readscale.last_commit_lsn') state.token = msg.parameterValue;
  });
  return state;
}

async function write(primary, reported, item) {
  const res = await primary.query('INSERT INTO readscale_example (item) VALUES ($1) RETURNING id', [item]);
  // The ParameterStatus message precedes ReadyForQuery, so it has arrived by now.
  if (reported.token) return { id: res.rows[0].id, token: reported.token, source: 'ParameterStatus readscale.last_commit_lsn' };
  const t = await primary.query('SELECT readscale.current_token()::text AS token');
  return { id: res.rows[0].id, token: t.rows[0].token, source: 'readscale.current_token()' };
}

async function readAfterWait(standby, token, id, timeout) {
  // Two statements: the read's snapshot must be taken after the wait returned.
  await standby.query('SELECT readscale.wait_for_lsn($1::pg_lsn, timeout => $2::interval)', [token, timeout]);
  return (await standby.query(READ, [id])).rows[0];
}

async function readThroughGate(standby, token, id, timeout) {
  // SET takes no bind parameters: quote the values as literals.
  await standby.query('BEGIN');
  try {
    await standby.query(`SET LOCAL readscale.gate_timeout = ${escapeLiteral(timeout)}`);
    await standby.query(`SET LOCAL readscale.min_lsn = ${escapeLiteral(token)}`);
    const row = (await standby.query(READ, [id])).rows[0];
    await standby.query('COMMIT');
    return row;
  } catch (err) {
    await standby.query('ROLLBACK');
    throw err;
  }
}

// Returns { row, node, sqlstate }: sqlstate is the code that caused a fall-back.
async function readYourWrite(primary, standby, method, token, id, timeout) {
  try {
    return { row: await method(standby, token, id, timeout), node: 'standby', sqlstate: null };
  } catch (err) {
    if (!(err.code in FALL_BACK_ON)) throw err;
    return { row: (await primary.query(READ, [id])).rows[0], node: 'primary', sqlstate: err.code };
  }
}

async function main() {
  const [primaryUrl, standbyUrl, timeout = '1s'] = process.argv.slice(2);
  if (!primaryUrl || !standbyUrl) {
    console.error('usage: read_your_writes.js PRIMARY_URL STANDBY_URL [TIMEOUT]');
    return 2;
  }
  const primary = new Client({ connectionString: primaryUrl });
  const standby = new Client({ connectionString: standbyUrl });
  await primary.connect();
  await standby.connect();
  const reported = trackToken(primary);
  let missed = 0;
  try {
    await primary.query('CREATE TABLE IF NOT EXISTS readscale_example (id serial PRIMARY KEY, item text NOT NULL)');
    for (const [name, method] of [['wait_for_lsn', readAfterWait], ['gate', readThroughGate]]) {
      const item = `node-${name}-${process.hrtime.bigint()}`;
      const w = await write(primary, reported, item);
      console.log(`${name}: wrote id ${w.id} on the primary, token ${w.token} from ${w.source}`);
      const r = await readYourWrite(primary, standby, method, w.token, w.id, timeout);
      const why = r.sqlstate ? ` after SQLSTATE ${r.sqlstate} (${FALL_BACK_ON[r.sqlstate]})` : '';
      const seen = r.row !== undefined && r.row.item === item;
      console.log(`${name}: read on the ${r.node}${why}: ${seen ? 'saw' : 'MISSED'} the write`);
      if (!seen) missed += 1;
    }
  } finally {
    await primary.end();
    await standby.end();
  }
  if (missed) {
    console.log(`FAILED: ${missed} read(s) missed their write`);
    return 1;
  }
  console.log('ok: every read saw its own write');
  return 0;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(`error: ${err.message}${err.code ? ` (SQLSTATE ${err.code})` : ''}`);
  process.exitCode = 1;
});
