CREATE TABLE `scheduler_lease` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `season_result` (
	`season_id` integer NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` integer NOT NULL,
	`name` text NOT NULL,
	`team_name` text,
	`rank` integer NOT NULL,
	`points` integer NOT NULL,
	`provisional_points` integer NOT NULL,
	`sales_count` integer NOT NULL,
	`frozen_at` integer NOT NULL,
	PRIMARY KEY(`season_id`, `subject_type`, `subject_id`),
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `season_transition` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`to_status` text NOT NULL,
	`at` integer NOT NULL,
	`by` text NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `season_transition_once_uq` ON `season_transition` (`season_id`,`to_status`);--> statement-breakpoint
ALTER TABLE `season` ADD `recurrence` text;--> statement-breakpoint
ALTER TABLE `season` ADD `grace_days` integer DEFAULT 7 NOT NULL;--> statement-breakpoint
ALTER TABLE `season` ADD `previous_season_id` integer;--> statement-breakpoint
ALTER TABLE `season` ADD `prizes` text;--> statement-breakpoint
ALTER TABLE `season` ADD `announcement` text;--> statement-breakpoint
ALTER TABLE `season` ADD `finalized_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `season_previous_uq` ON `season` (`previous_season_id`);