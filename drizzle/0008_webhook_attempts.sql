CREATE TABLE `webhook_attempt` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delivery_id` integer NOT NULL,
	`attempted_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`http_status` integer,
	`error` text,
	`ok` integer NOT NULL,
	FOREIGN KEY (`delivery_id`) REFERENCES `webhook_delivery`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_attempt_delivery_idx` ON `webhook_attempt` (`delivery_id`,`id`);--> statement-breakpoint
ALTER TABLE `webhook_delivery` ADD `message_id` text;--> statement-breakpoint
-- Hand-added: deliveries queued before Standard Webhooks get a stable webhook-id for their retries.
UPDATE `webhook_delivery` SET `message_id` = 'msg_legacy_' || `id` WHERE `message_id` IS NULL;
