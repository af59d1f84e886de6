import { adjustPoints } from '../src/lib/server/scoring/adjustments';
import { benchContest } from './lib/contest-file';
const { store, people, managerId, remove } = benchContest('adjustprof');
const input = (i: number) => ({ seasonId: people[i % people.length].seasonId, userId: people[i % people.length].id, points: (i % 7) + 1, reason: 'bench', actor: { userId: managerId } });
for (let i = 0; i < 2000; i++) await adjustPoints(store, input(i));
const t0 = performance.now(); const c0 = process.cpuUsage();
for (let i = 0; i < 8000; i++) await adjustPoints(store, input(i));
const c = process.cpuUsage(c0); console.log('µs/op wall', ((performance.now() - t0) * 1000 / 8000).toFixed(1), 'cpu', ((c.user + c.system) / 8000).toFixed(1));
remove();
