export type DisplayStatus = 'active' | 'revoked' | 'unknown';

/**
 * Tells the server this screen is alive and asks whether its link still works. Null when the
 * server cannot be reached: the socket's own reconnection brings the board back then.
 */
export async function heartbeat(token: string): Promise<DisplayStatus | null> {
	try {
		const response = await fetch(`/tv/${encodeURIComponent(token)}/heartbeat`, { method: 'POST' });
		const { status } = (await response.json()) as { status?: string };
		return status === 'active' || status === 'revoked' || status === 'unknown' ? status : null;
	} catch {
		return null;
	}
}
