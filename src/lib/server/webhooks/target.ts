import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { m } from '../../paraglide/messages.js';

// Where a webhook may send: the public internet only. An admin's URL could otherwise reach the
// server's own network (databases, admin panels, the cloud metadata service at 169.254.169.254).
// The hostname is resolved once, every address is checked, and the connection goes to the
// checked address (so a second, different DNS answer cannot slip in between). Redirects are
// not followed: a 3xx is a failed delivery.
//
// Self-hosters whose receivers are on their own network, tests and local development (receivers
// on 127.0.0.1) opt in with WEBHOOKS_ALLOW_PRIVATE=true. HONORBOARD_WEBHOOKS_ALLOW_PRIVATE=1, the
// first name of the switch, still works.

export const ALLOW_PRIVATE_ENV = 'WEBHOOKS_ALLOW_PRIVATE';
/** The switch's former name, still read. */
export const ALLOW_PRIVATE_ENV_ALIAS = 'HONORBOARD_WEBHOOKS_ALLOW_PRIVATE';
/** A receiver has this long to answer (connect, headers and body). */
export const DELIVERY_TIMEOUT_MS = 5_000;

const blocked = new BlockList();
for (const [network, prefix] of [
	['0.0.0.0', 8], // "this network"
	['10.0.0.0', 8], // private
	['100.64.0.0', 10], // carrier-grade NAT
	['127.0.0.0', 8], // loopback
	['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
	['172.16.0.0', 12], // private
	['192.0.0.0', 24], // IETF protocol assignments
	['192.0.2.0', 24], // documentation
	['192.88.99.0', 24], // 6to4 relay
	['192.168.0.0', 16], // private
	['198.18.0.0', 15], // benchmarking
	['198.51.100.0', 24], // documentation
	['203.0.113.0', 24], // documentation
	['224.0.0.0', 4], // multicast
	['240.0.0.0', 4] // reserved, broadcast
] as const)
	blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
	['::', 128], // unspecified
	['::1', 128], // loopback
	['::', 96], // IPv4-compatible (deprecated)
	['64:ff9b::', 96], // NAT64: reaches any IPv4 address, private ones included
	['64:ff9b:1::', 48], // local-use NAT64
	['100::', 64], // discard
	['2001:db8::', 32], // documentation
	['2002::', 16], // 6to4: embeds an IPv4 address
	['fc00::', 7], // unique local
	['fe80::', 10], // link-local
	['fec0::', 10], // site-local (deprecated)
	['ff00::', 8] // multicast
] as const)
	blocked.addSubnet(network, prefix, 'ipv6');

/** Whether an IP address is off limits; IPv4-mapped IPv6 (::ffff:a.b.c.d) is checked as IPv4. */
export function isBlockedAddress(address: string): boolean {
	const family = isIP(address);
	if (family === 0) return true;
	if (family === 6) {
		const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
		if (mapped) return isBlockedAddress(mapped[1]);
		// BlockList also matches the hex form (::ffff:7f00:1) against the IPv4 subnets.
		return blocked.check(address, 'ipv6');
	}
	return blocked.check(address, 'ipv4');
}

const on = (value: string | undefined) => /^(1|true|yes|on)$/i.test(value?.trim() ?? '');

/** Whether the server may deliver to private addresses (either name of the switch, set on). */
export function privateTargetsAllowed(): boolean {
	return on(process.env[ALLOW_PRIVATE_ENV]) || on(process.env[ALLOW_PRIVATE_ENV_ALIAS]);
}

export class TargetRefused extends Error {
	/** The same refusal for the admin, in their language (the message itself stays English). */
	constructor(
		message: string,
		readonly says: () => string = () => message
	) {
		super(message);
	}
}

/** `[::1]` → `::1`: URL keeps the brackets of an IPv6 host. */
function bareHost(url: URL): string {
	return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function resolveAll(host: string): Promise<LookupAddress[]> {
	return new Promise((done, fail) =>
		dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
			error ? fail(error) : done(addresses)
		)
	);
}

/**
 * Resolves a webhook URL's host and checks every address; throws TargetRefused (with a
 * message for the admin) for a private, loopback, link-local or otherwise internal target.
 * DNS errors are thrown as they are.
 */
export async function resolveTarget(
	url: URL,
	allowPrivate = privateTargetsAllowed()
): Promise<LookupAddress[]> {
	const host = bareHost(url);
	const family = isIP(host);
	const addresses = family
		? [{ address: host, family }]
		: await resolveAll(host.replace(/\.$/, ''));
	if (addresses.length === 0) throw new Error(`${host} has no address`);
	if (!allowPrivate) {
		const inner = addresses.find((a) => isBlockedAddress(a.address));
		if (inner)
			throw family
				? new TargetRefused(
						`${host} is a private or internal address: webhooks only go to public hosts.`,
						() => m.webhooks_private_host({ host })
					)
				: new TargetRefused(
						`${host} resolves to ${inner.address}, a private or internal address: webhooks only go to public hosts.`,
						() => m.webhooks_private_resolved({ host, address: inner.address })
					);
	}
	return addresses;
}

/**
 * The check when a webhook is saved: the reason to refuse the URL, or null. A name that does not
 * resolve (yet) is accepted: every delivery checks again.
 */
export async function refusedTarget(value: string): Promise<string | null> {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return m.webhooks_url_invalid();
	}
	if (url.username || url.password) return m.webhooks_url_credentials();
	try {
		await Promise.race([
			resolveTarget(url),
			new Promise((done) => setTimeout(done, 3_000).unref())
		]);
		return null;
	} catch (error) {
		return error instanceof TargetRefused ? error.says() : null;
	}
}

export interface PostResult {
	status: number;
}

/**
 * POSTs a delivery to a checked address, without following redirects, within
 * DELIVERY_TIMEOUT_MS. Resolves with the status of a 2xx answer; throws with a reason otherwise.
 */
export async function postToTarget(
	target: string,
	headers: Record<string, string>,
	body: string | Uint8Array,
	options: { timeoutMs?: number } = {}
): Promise<PostResult> {
	const url = new URL(target);
	if (url.protocol !== 'http:' && url.protocol !== 'https:')
		throw new TargetRefused(`Unsupported protocol ${url.protocol}`);
	const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
	const signal = AbortSignal.timeout(timeoutMs);
	const addresses = await resolveTarget(url);
	// Connect to the address just checked, never to a fresh DNS answer.
	const pinned: LookupFunction = (_host, opts, callback) => {
		const wanted = opts.family === 4 || opts.family === 6 ? opts.family : 0;
		const usable = addresses.filter((a) => !wanted || a.family === wanted);
		if (usable.length === 0) {
			const error = Object.assign(new Error(`No IPv${wanted} address for ${url.hostname}`), {
				code: 'ENOTFOUND'
			});
			return callback(error, '', 0);
		}
		if (opts.all) return (callback as (e: null, all: LookupAddress[]) => void)(null, usable);
		callback(null, usable[0].address, usable[0].family);
	};
	const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
	const bytes = Buffer.from(body);
	return new Promise<PostResult>((done, fail) => {
		const request = send(
			url,
			{
				method: 'POST',
				headers: { ...headers, 'content-length': String(bytes.length) },
				lookup: pinned,
				signal,
				agent: false
			},
			(response: IncomingMessage) => {
				const status = response.statusCode ?? 0;
				// Read (and drop) the answer so that the socket closes; a slow body counts against the timeout.
				response.resume();
				response.on('error', fail);
				// Cut off mid-body (the timeout, a dropped connection): a failure, not a silence.
				response.on('close', () => {
					if (!response.complete)
						fail(
							new Error(
								signal.aborted
									? `No complete answer within ${timeoutMs / 1000} s`
									: 'The connection closed before the answer was complete'
							)
						);
				});
				response.on('end', () => {
					if (status >= 300 && status < 400) {
						const where = response.headers.location ? ` to ${response.headers.location}` : '';
						fail(
							Object.assign(
								new Error(
									`HTTP ${status}: redirect${where} not followed (use the final URL of the receiver)`
								),
								{ status }
							)
						);
					} else if (status < 200 || status >= 300)
						fail(Object.assign(new Error(`HTTP ${status}`), { status }));
					else done({ status });
				});
			}
		);
		request.on('error', (error) =>
			fail(signal.aborted ? new Error(`No answer within ${timeoutMs / 1000} s`) : (error as Error))
		);
		request.end(bytes);
	});
}
