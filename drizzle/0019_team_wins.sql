CREATE TABLE `knockout_win_member` (
	`knockout_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`team_id` integer NOT NULL,
	PRIMARY KEY(`knockout_id`, `user_id`),
	FOREIGN KEY (`knockout_id`) REFERENCES `knockout`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`team_id`) REFERENCES `team`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `knockout_win_member_user_idx` ON `knockout_win_member` (`user_id`);--> statement-breakpoint
CREATE TABLE `sprint_win_member` (
	`sprint_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`team_id` integer NOT NULL,
	PRIMARY KEY(`sprint_id`, `user_id`),
	FOREIGN KEY (`sprint_id`) REFERENCES `sprint`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`team_id`) REFERENCES `team`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sprint_win_member_user_idx` ON `sprint_win_member` (`user_id`);