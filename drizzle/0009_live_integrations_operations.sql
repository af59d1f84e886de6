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
CREATE TABLE `import_mapping` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`header_key` text NOT NULL,
	`mapping` text NOT NULL,
	`date_order` text,
	`decimal` text,
	`encoding` text,
	`updated_by_id` integer,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`updated_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `import_mapping_header_key_unique` ON `import_mapping` (`header_key`);--> statement-breakpoint
CREATE TABLE `person_day` (
	`season_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`day` integer NOT NULL,
	`sales` integer DEFAULT 0 NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`quantity` integer DEFAULT 0 NOT NULL,
	`rule_awards` text DEFAULT '{}' NOT NULL,
	PRIMARY KEY(`season_id`, `user_id`, `day`),
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
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
ALTER TABLE `user` ADD `employee_number` text;--> statement-breakpoint
CREATE UNIQUE INDEX `user_employee_number_unique` ON `user` (`employee_number`);--> statement-breakpoint
ALTER TABLE `webhook_delivery` ADD `message_id` text;--> statement-breakpoint
CREATE INDEX `award_sale_idx` ON `award` (`sale_id`);--> statement-breakpoint
CREATE INDEX `sale_season_amount_idx` ON `sale` (`season_id`,`amount`);--> statement-breakpoint
CREATE INDEX `standing_rank_idx` ON `standing` (`season_id`,`subject_type`,"confirmed_points" desc,`reached_at`);--> statement-breakpoint
CREATE INDEX `standing_rank_total_idx` ON `standing` (`season_id`,`subject_type`,("confirmed_points" + "provisional_points") desc,`reached_at`);--> statement-breakpoint
UPDATE `webhook_delivery` SET `message_id` = 'msg_legacy_' || `id` WHERE `message_id` IS NULL;