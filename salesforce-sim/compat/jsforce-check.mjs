// Drives salesforce-sim with jsforce, used as its documentation says, to show
// a widely used client works unchanged: OAuth client credentials, describe,
// REST create/update, sObject Collections, query paging and Bulk API 2.0.
// Usage: node jsforce-check.mjs http://127.0.0.1:PORT CLIENT_ID CLIENT_SECRET
import jsforce from 'jsforce';
import assert from 'node:assert/strict';

const [base, clientId, clientSecret] = process.argv.slice(2);
let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAILED - ${name}: ${e.stack || e}`);
  }
}

const conn = new jsforce.Connection({
  oauth2: { loginUrl: base, clientId, clientSecret },
  version: '62.0',
});

await check('client credentials login', async () => {
  const user = await conn.authorize({ grant_type: 'client_credentials' });
  assert.equal(conn.instanceUrl, base);
  assert.match(user.id, /^005/);
});

await check('describe Contact', async () => {
  const d = await conn.sobject('Contact').describe();
  assert.equal(d.keyPrefix, '003');
  assert.ok(d.fields.some((f) => f.name === 'Email' && f.idLookup));
});

let id;
await check('single create, retrieve and update', async () => {
  const r = await conn.sobject('Contact').create({ LastName: 'Lovelace', Email: 'Ada@Example.com' });
  assert.ok(r.success);
  id = r.id;
  await conn.sobject('Contact').update({ Id: id, Title: 'Countess' });
  const rec = await conn.sobject('Contact').retrieve(id);
  assert.equal(rec.Email, 'ada@example.com');
  assert.equal(rec.Title, 'Countess');
});

await check('single-record errors surface as Salesforce error codes', async () => {
  await assert.rejects(conn.sobject('Contact').create({ FirstName: 'No last name' }), (e) => e.errorCode === 'REQUIRED_FIELD_MISSING');
});

await check('collections create, update and upsert', async () => {
  const recs = Array.from({ length: 150 }, (_, i) => ({ LastName: `Coll${i}`, Email: `coll${i}@example.com` }));
  const created = await conn.sobject('Contact').create(recs, { allOrNone: true });
  assert.equal(created.length, 150);
  assert.ok(created.every((r) => r.success));
  const updated = await conn.sobject('Contact').update(created.map((r) => ({ Id: r.id, Title: 'Updated' })));
  assert.ok(updated.every((r) => r.success));
  const upserted = await conn.sobject('Contact').upsert(
    [{ Email: 'COLL1@example.com', LastName: 'Again' }, { Email: 'brand.new@example.com', LastName: 'New' }],
    'Email',
  );
  assert.deepEqual(upserted.map((r) => r.created), [false, true]);
  const mixed = await conn.sobject('Contact').create([{ LastName: 'ok' }, { FirstName: 'bad' }], { allOrNone: false });
  assert.equal(mixed[0].success, true);
  assert.equal(mixed[1].success, false);
  assert.equal(mixed[1].errors[0].statusCode, 'REQUIRED_FIELD_MISSING');
});

await check('query paging with autoFetch across 2000-row pages', async () => {
  const res = await conn.query('SELECT Id, Email FROM Contact', { autoFetch: true, maxFetch: 100000 });
  assert.ok(res.totalSize > 4000, `totalSize ${res.totalSize}`);
  assert.equal(res.records.length, res.totalSize);
  assert.equal(new Set(res.records.map((r) => r.Id)).size, res.totalSize);
});

await check('bulk 2.0 insert with results', async () => {
  const csv = 'FirstName,LastName,Email\nBulk,One,bulk1@example.com\nBulk,,bulk2@example.com\n';
  const res = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'insert', input: csv, pollInterval: 50 });
  assert.equal(res.successfulResults.length, 1);
  assert.equal(res.failedResults.length, 1);
  assert.match(res.successfulResults[0].sf__Id, /^003/);
  assert.match(res.failedResults[0].sf__Error, /^REQUIRED_FIELD_MISSING/);
});

await check('bulk 2.0 query', async () => {
  const stream = await conn.bulk2.query('SELECT Id, Email FROM Contact WHERE Email LIKE \'bulk%\'', { pollInterval: 50 });
  const rows = await stream.toArray();
  assert.equal(rows.length, 1);
  assert.equal(rows[0].Email, 'bulk1@example.com');
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
