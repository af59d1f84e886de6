CREATE TABLE `award` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`badge_id` integer NOT NULL,
	`season_id` integer NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` integer NOT NULL,
	`period_key` text DEFAULT '' NOT NULL,
	`earned_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`badge_id`) REFERENCES `badge`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `award_once_uq` ON `award` (`badge_id`,`subject_type`,`subject_id`,`period_key`);--> statement-breakpoint
CREATE INDEX `award_season_subject_idx` ON `award` (`season_id`,`subject_type`,`subject_id`);--> statement-breakpoint
CREATE TABLE `badge` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer,
	`name` text NOT NULL,
	`emoji` text DEFAULT '🏅' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`criterion` text NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `badge_season_idx` ON `badge` (`season_id`);--> statement-breakpoint
CREATE TABLE `display` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`last_seen_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `display_token_hash_unique` ON `display` (`token_hash`);--> statement-breakpoint
ALTER TABLE `season` ADD `tiers` text;--> statement-breakpoint
ALTER TABLE `season` ADD `holidays` text;