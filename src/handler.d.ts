// build/handler.js, written by adapter-node and imported by server.ts once built (see
// scripts/build-server.mjs, which resolves this name to the file beside build/server.js).
declare module 'honorboard:handler' {
	import type { IncomingMessage, ServerResponse } from 'node:http';
	export const handler: (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;
}
