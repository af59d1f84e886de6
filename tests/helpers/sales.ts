// Sales posted to a running server's API (POST /api/v1/sales), as the integration tests send
// them. One place for the request, so that a change to the endpoint's shape is made once.

/** One sale of one line; what a test leaves out is one PHONE at 10, sold a minute ago. */
export interface TestSale {
	externalId: string;
	/** The seller's email. */
	seller: string;
	sku?: string;
	quantity?: number;
	unitPrice?: number;
	/** ISO time; a minute ago when left out. */
	occurredAt?: string;
	/** The customer's reference (referrals); not sent when left out. */
	customerRef?: string;
}

/** The JSON body the API takes for `sale`. */
export function saleBody(sale: TestSale): Record<string, unknown> {
	return {
		externalId: sale.externalId,
		seller: { email: sale.seller },
		occurredAt: sale.occurredAt ?? new Date(Date.now() - 60_000).toISOString(),
		lines: [
			{ sku: sale.sku ?? 'PHONE', quantity: sale.quantity ?? 1, unitPrice: sale.unitPrice ?? 10 }
		],
		...(sale.customerRef !== undefined && { customerRef: sale.customerRef })
	};
}

/**
 * POSTs `body` to the server's sales endpoint as it is: a string is sent as given (malformed
 * JSON included), anything else as JSON. `token` is sent as a Bearer token; `headers` are added
 * after the defaults, so that a test can replace them.
 */
export function postSaleBody(
	url: string,
	token: string | null,
	body: unknown,
	init: RequestInit = {}
): Promise<Response> {
	const headers = new Headers({ 'content-type': 'application/json' });
	if (token !== null) headers.set('authorization', `Bearer ${token}`);
	for (const [name, value] of new Headers(init.headers)) headers.set(name, value);
	return fetch(`${url}/api/v1/sales`, {
		...init,
		method: 'POST',
		headers,
		body: typeof body === 'string' ? body : JSON.stringify(body)
	});
}

/** The answer to a sale: its status and its JSON body. */
export interface SaleAnswer<
	T = { sale?: { id: number; status: string; points?: number }; version?: number }
> {
	status: number;
	body: T;
}

/** POSTs one sale (saleBody) with `token`; resolves with the status and the parsed body. */
export async function postSale<T = SaleAnswer['body']>(
	url: string,
	token: string,
	sale: TestSale,
	headers: Record<string, string> = {}
): Promise<SaleAnswer<T>> {
	const response = await postSaleBody(url, token, saleBody(sale), { headers });
	return { status: response.status, body: (await response.json()) as T };
}
