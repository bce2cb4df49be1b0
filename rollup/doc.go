// Package rollup streams each district's change feed (_sync_changes, the
// feed tablets pull) into PostgreSQL, for the city and the province: typed
// tables keyed by (district, id), exactly once (the applied cursor is
// written in the same transaction as the rows it covers), residents' and
// users' personal data left out unless the district turns it on, and the
// city's figures computed by stats' own definitions over the replicated
// rows.
//
//	yuetan replicate --postgres URL --district CODE [--once] [--personal]
//	yuetan city-bulletin --postgres URL --month YYYY-MM --out FILE
//	GET /api/replication   (superusers) the replicator's state and lag
//
// The PostgreSQL schema is golang-migrate migrations embedded from
// migrations/ and applied on start. See README.md.
package rollup
