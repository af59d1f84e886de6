CREATE TABLE `login_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL
);
--> statement-breakpoint
DROP INDEX `award_once_uq`;--> statement-breakpoint
ALTER TABLE `award` ADD `sale_id` integer REFERENCES sale(id);--> statement-breakpoint
ALTER TABLE `award` ADD `status` text DEFAULT 'confirmed' NOT NULL;--> statement-breakpoint
ALTER TABLE `award` ADD `voided_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `award_once_uq` ON `award` (`badge_id`,`subject_type`,`subject_id`,`period_key`) WHERE status <> 'void';--> statement-breakpoint
ALTER TABLE `api_token` ADD `created_by_id` integer;--> statement-breakpoint
ALTER TABLE `api_token` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `invite` ADD `purpose` text DEFAULT 'invite' NOT NULL;--> statement-breakpoint
ALTER TABLE `invite` ADD `voided_at` integer;--> statement-breakpoint
ALTER TABLE `ledger_entry` ADD `award_id` integer REFERENCES award(id);--> statement-breakpoint
ALTER TABLE `sale` ADD `flag_reason` text;--> statement-breakpoint
ALTER TABLE `season` ADD `multiplier_mode` text DEFAULT 'best' NOT NULL;--> statement-breakpoint
ALTER TABLE `season` ADD `max_sale_points` integer DEFAULT 100000 NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_delivery` ADD `claimed_by` text;--> statement-breakpoint
ALTER TABLE `webhook_delivery` ADD `claimed_until` integer;