CREATE TABLE `activity` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`team_id` integer NOT NULL,
	`type_id` integer NOT NULL,
	`quantity` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`source` text NOT NULL,
	`external_id` text NOT NULL,
	`status` text DEFAULT 'counted' NOT NULL,
	`points` integer NOT NULL,
	`ledger_entry_id` integer,
	`created_by_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`team_id`) REFERENCES `team`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`type_id`) REFERENCES `activity_type`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ledger_entry_id`) REFERENCES `ledger_entry`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `activity_source_external_uq` ON `activity` (`source`,`external_id`);--> statement-breakpoint
CREATE INDEX `activity_season_time_idx` ON `activity` (`season_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `activity_season_created_idx` ON `activity` (`season_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `activity_user_idx` ON `activity` (`user_id`,`type_id`);--> statement-breakpoint
CREATE TABLE `activity_type` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`points` integer NOT NULL,
	`emoji` text DEFAULT '✅' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `activity_type_season_key_uq` ON `activity_type` (`season_id`,`key`);--> statement-breakpoint
ALTER TABLE `ledger_entry` ADD `activity_id` integer REFERENCES activity(id);