import { handlePush } from '$lib/push/sw-push';
handlePush(self as unknown as ServiceWorkerGlobalScope);
