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
CREATE INDEX `sprint_season_idx` ON `sprint` (`season_id`,`status`);