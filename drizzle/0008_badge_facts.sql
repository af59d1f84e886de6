CREATE TABLE `badge_cursor` (
	`id` integer PRIMARY KEY NOT NULL,
	`ledger_id` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `badge_day` (
	`season_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`day` text NOT NULL,
	`sales` integer NOT NULL,
	`first_at` integer NOT NULL,
	`first_sale_id` integer NOT NULL,
	PRIMARY KEY(`season_id`, `user_id`, `day`),
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `badge_period` (
	`season_id` integer NOT NULL,
	`period_key` text NOT NULL,
	`ends_at` integer NOT NULL,
	`dirty` integer DEFAULT 1 NOT NULL,
	`decided_with` text,
	PRIMARY KEY(`season_id`, `period_key`),
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `badge_period_due_idx` ON `badge_period` (`ends_at`);--> statement-breakpoint
CREATE TABLE `badge_tally` (
	`season_id` integer NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` integer NOT NULL,
	`metric` text NOT NULL,
	`value` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`season_id`, `subject_type`, `subject_id`, `metric`),
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `badge_week` (
	`season_id` integer NOT NULL,
	`week` text NOT NULL,
	`user_id` integer NOT NULL,
	`sales` integer NOT NULL,
	`points` integer NOT NULL,
	`reached_at` integer NOT NULL,
	PRIMARY KEY(`season_id`, `week`, `user_id`),
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `award_sale_idx` ON `award` (`sale_id`);--> statement-breakpoint
CREATE INDEX `sale_season_amount_idx` ON `sale` (`season_id`,`amount`);