import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const PARTS = [['writeInWrite','scoring/sale-rows.ts'],['finishInWrite','scoring/write-batch.ts'],['windowAwardsInWrite','imports/sales.ts'],['dayTotalsInWrite','scoring/person-day.ts'],['planSaleInWrite','scoring/sales.ts'],['writeSaleInWrite','scoring/sales.ts'],['recordWindowInWrite','imports/sales.ts'],['exec','methods/wrappers.js'],['pass','imports/parse-thread.ts'],['(garbage collector)','']];
const byId = new Map(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map(); let total = 0;
for (const id of p.samples) {
  const n: any = byId.get(id); if (n.callFrame.functionName === '(idle)') continue; total++;
  let inPart = false;
  for (let at = id; at !== undefined; at = parent.get(at)) { const f = (byId.get(at) as any).callFrame; if (PARTS.some(([fn, file]) => f.functionName === fn && f.url.endsWith(file))) { inPart = true; break; } }
  if (inPart) continue;
  // name: self frame + first project caller
  let name = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.columnNumber}`;
  for (let at = parent.get(id); at !== undefined; at = parent.get(at)) { const f = (byId.get(at) as any).callFrame; if (f.url.includes('/src/') || f.url.includes('/bench/')) { name += ` <- ${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.columnNumber}`; break; } }
  self.set(name, (self.get(name) ?? 0) + 1);
}
for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log((100 * c / total).toFixed(2).padStart(6), k);
