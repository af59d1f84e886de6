// The bare stack for bench/ingest.ts: plain node:http and better-sqlite3 doing the minimal work of
// an ingest endpoint: check a bearer token, read and parse the JSON body, answer a known
// externalId from one indexed lookup (replay), else insert the sale in one statement and answer
// 201. Same pragmas as Honorboard (WAL, synchronous NORMAL). PORT, HOST, DATABASE_URL, TOKEN.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const db = new Database(process.env.DATABASE_URL);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`create table if not exists sale (
	id integer primary key autoincrement,
	external_id text not null unique,
	seller_email text not null,
	occurred_at integer not null,
	body text not null,
	created_at integer not null
)`);
const insert = db.prepare(
	'insert into sale (external_id, seller_email, occurred_at, body, created_at) values (?, ?, ?, ?, ?) returning id'
);
const known = db.prepare('select id from sale where external_id = ?');
const expected = `Bearer ${process.env.TOKEN}`;

function send(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text)
	});
	res.end(text);
}

const server = createServer((req, res) => {
	if (req.method !== 'POST' || req.url !== '/api/v1/sales') return send(res, 404, {});
	if (req.headers.authorization !== expected) return send(res, 401, {});
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		let body;
		try {
			body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		} catch {
			return send(res, 400, {});
		}
		const found = known.get(body.externalId);
		if (found) return send(res, 200, { sale: { id: found.id } });
		const row = insert.get(
			body.externalId,
			body.seller.email,
			Date.parse(body.occurredAt),
			JSON.stringify(body.lines),
			Date.now()
		);
		send(res, 201, { sale: { id: row.id } });
	});
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () =>
	console.log('bare ingest server ready')
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
