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
CREATE UNIQUE INDEX `quota_subject_uq` ON `quota` (`season_id`,`subject_type`,`subject_id`);