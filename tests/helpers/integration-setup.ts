// Before each integration file. They share one module graph per worker (vite.config.ts:
// `isolate: false`), and so one process: what the app keeps on globalThis for a process's life
// is put back as a new process has it, so that no file sees another's leftovers (a scheduler
// released for good by another file's shutdown never ran again; one database's season 1 is not
// another's).
import type { EventEmitter } from 'node:events';
import { forgetVapidKeys } from '../../src/lib/server/notify/push/vapid';

const held = globalThis as Record<symbol, unknown>;
const at = (name: string) => Symbol.for(`honorboard.${name}`);

// Made again on first use: the scheduler's holder, the standings' marks and journal, the publisher.
for (const name of ['scheduler', 'standings-moved', 'standings-journal', 'publisher'])
	delete held[at(name)];
// Held by the modules themselves: emptied in place.
(held[at('domainEventHandlersInWrite')] as Set<unknown> | undefined)?.clear();
(held[at('sessionsEnded')] as Set<unknown> | undefined)?.clear();
(held[at('rankEvents')] as EventEmitter | undefined)?.removeAllListeners();
forgetVapidKeys();
