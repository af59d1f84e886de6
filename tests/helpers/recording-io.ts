import type { RealtimeServer } from '../../src/lib/server/realtime/publish';

/**
 * A Socket.IO server for a Publisher that keeps what it would push to `room` in `sent` (each
 * payload once): one socket watches the room. Pushes go to this node's own sockets (publish.ts,
 * cluster.ts), encoded once for the room (realtime/room-frame.ts): the fake namespace keeps what
 * is encoded and has no socket to write to; other emits (`to(…).emit`) are kept too.
 */
export function recordingIo<P>(room: string, sent: P[]): RealtimeServer {
	const rooms = () => new Map([[room, new Set(['x'])]]);
	return {
		sockets: { adapter: { rooms: rooms() } },
		to: () => ({ emit: (_event: string, payload: P) => sent.push(payload) }),
		of: () => ({
			name: '/',
			adapter: {
				rooms: rooms(),
				_encode: (packet: { data: [string, P] }) => (sent.push(packet.data[1]), [])
			},
			sockets: new Map()
		})
	} as unknown as RealtimeServer;
}
