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
CREATE TABLE `challenge` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`subject_type` text NOT NULL,
	`challenger_id` integer NOT NULL,
	`opponent_id` integer NOT NULL,
	`measure` text NOT NULL,
	`period_from` integer NOT NULL,
	`period_to` integer NOT NULL,
	`stake_points` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`answer_by` integer NOT NULL,
	`challenger_value` integer,
	`opponent_value` integer,
	`winner_id` integer,
	`payout_entry_id` integer,
	`created_by_id` integer NOT NULL,
	`decided_by_id` integer,
	`decided_at` integer,
	`finished_at` integer,
	`finalized_at` integer,
	`request_id` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`payout_entry_id`) REFERENCES `ledger_entry`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `challenge_request_id_unique` ON `challenge` (`request_id`);--> statement-breakpoint
CREATE INDEX `challenge_season_status_idx` ON `challenge` (`season_id`,`status`);--> statement-breakpoint
CREATE INDEX `challenge_status_idx` ON `challenge` (`status`);--> statement-breakpoint
CREATE TABLE `challenge_settings` (
	`season_id` integer PRIMARY KEY NOT NULL,
	`stake_budget_points` integer DEFAULT 0 NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `division` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`name` text NOT NULL,
	`position` integer NOT NULL,
	`promote` integer DEFAULT 0 NOT NULL,
	`relegate` integer DEFAULT 0 NOT NULL,
	`prizes` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `division_season_position_uq` ON `division` (`season_id`,`position`);--> statement-breakpoint
CREATE UNIQUE INDEX `division_season_name_uq` ON `division` (`season_id`,`name`);--> statement-breakpoint
CREATE TABLE `division_member` (
	`season_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`division_id` integer NOT NULL,
	`placed_by` text NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`season_id`, `user_id`),
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`division_id`) REFERENCES `division`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `division_member_division_idx` ON `division_member` (`division_id`);--> statement-breakpoint
CREATE TABLE `knockout` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`name` text NOT NULL,
	`subject` text NOT NULL,
	`size` integer NOT NULL,
	`measure` text NOT NULL,
	`round_length` integer NOT NULL,
	`round_unit` text DEFAULT 'day' NOT NULL,
	`grace_hours` integer DEFAULT 2 NOT NULL,
	`starts_at` integer NOT NULL,
	`prize` text,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`seeded_at` integer,
	`rounds_frozen` integer DEFAULT 0 NOT NULL,
	`winner_id` integer,
	`finalized_at` integer,
	`request_id` text,
	`created_by_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `knockout_request_id_unique` ON `knockout` (`request_id`);--> statement-breakpoint
CREATE INDEX `knockout_season_idx` ON `knockout` (`season_id`,`status`);--> statement-breakpoint
CREATE TABLE `knockout_match` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`knockout_id` integer NOT NULL,
	`round` integer NOT NULL,
	`slot` integer NOT NULL,
	`a_id` integer,
	`b_id` integer,
	`a_seed` integer,
	`b_seed` integer,
	`a_value` integer,
	`b_value` integer,
	`winner_id` integer,
	`decided_at` integer,
	FOREIGN KEY (`knockout_id`) REFERENCES `knockout`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `knockout_match_slot_uq` ON `knockout_match` (`knockout_id`,`round`,`slot`);--> statement-breakpoint
CREATE TABLE `quota` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` integer NOT NULL,
	`target_points` integer NOT NULL,
	`set_by_id` integer,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`set_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quota_subject_uq` ON `quota` (`season_id`,`subject_type`,`subject_id`);--> statement-breakpoint
CREATE TABLE `sprint` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`name` text NOT NULL,
	`subject` text NOT NULL,
	`measure` text NOT NULL,
	`target` integer NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`prize` text,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`winner_id` integer,
	`reached_at` integer,
	`finalized_at` integer,
	`request_id` text,
	`created_by_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sprint_request_id_unique` ON `sprint` (`request_id`);--> statement-breakpoint
CREATE INDEX `sprint_season_idx` ON `sprint` (`season_id`,`status`);--> statement-breakpoint
ALTER TABLE `ledger_entry` ADD `activity_id` integer REFERENCES activity(id);