CREATE TABLE `rule` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`name` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`starts_at` integer,
	`ends_at` integer,
	`target` text NOT NULL,
	`effect` text NOT NULL,
	`daily_cap` integer,
	`highlight` integer DEFAULT true NOT NULL,
	`created_by_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rule_season_idx` ON `rule` (`season_id`);--> statement-breakpoint
DROP INDEX `ledger_season_user_idx`;--> statement-breakpoint
CREATE INDEX `ledger_season_user_idx` ON `ledger_entry` (`season_id`,`user_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `sale` ADD `breakdown` text;--> statement-breakpoint
ALTER TABLE `sale` ADD `reviewed_by_id` integer REFERENCES user(id);--> statement-breakpoint
ALTER TABLE `sale` ADD `reviewed_at` integer;--> statement-breakpoint
ALTER TABLE `sale` ADD `review_reason` text;--> statement-breakpoint
CREATE INDEX `sale_season_status_idx` ON `sale` (`season_id`,`status`);--> statement-breakpoint
ALTER TABLE `season` ADD `rank_by` text DEFAULT 'confirmed' NOT NULL;--> statement-breakpoint
ALTER TABLE `season` ADD `auto_confirm_days` integer;