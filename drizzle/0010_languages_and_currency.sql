CREATE TABLE `organisation` (
	`id` integer PRIMARY KEY NOT NULL,
	`default_locale` text DEFAULT 'en' NOT NULL,
	`currency` text DEFAULT 'EUR' NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
ALTER TABLE `display` ADD `locale` text DEFAULT 'en' NOT NULL;--> statement-breakpoint
ALTER TABLE `user` ADD `locale` text;--> statement-breakpoint
INSERT INTO `organisation` (`id`) VALUES (1);
