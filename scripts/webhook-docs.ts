// Writes the generated part of docs/webhooks.md (each event's example and JSON Schema) from the
// zod schemas the emitters use: `npx tsx scripts/webhook-docs.ts`. events.spec.ts fails when the
// file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WEBHOOK_DOCS_PATH, webhookDocs } from '../src/lib/server/webhooks/docs';

const path = resolve(import.meta.dirname, '..', WEBHOOK_DOCS_PATH);
writeFileSync(path, await webhookDocs(readFileSync(path, 'utf8'), path));
console.log(`Wrote ${WEBHOOK_DOCS_PATH}`);
