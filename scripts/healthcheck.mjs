// The container's HEALTHCHECK: GET /healthz on this machine; exit 0 when it answers 200.
// It sends a forwarding header so that it also works with ADDRESS_HEADER set (adapter-node
// refuses a request without the configured header).
const port = process.env.PORT ?? '3000';
try {
	const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
		headers: { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' },
		signal: AbortSignal.timeout(4000)
	});
	process.exit(response.ok ? 0 : 1);
} catch {
	process.exit(1);
}
