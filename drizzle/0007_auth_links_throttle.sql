CREATE TABLE `login_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `invite` ADD `purpose` text DEFAULT 'invite' NOT NULL;--> statement-breakpoint
ALTER TABLE `invite` ADD `voided_at` integer;