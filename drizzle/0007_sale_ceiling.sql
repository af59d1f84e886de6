ALTER TABLE `sale` ADD `flag_reason` text;--> statement-breakpoint
ALTER TABLE `season` ADD `max_sale_points` integer DEFAULT 100000 NOT NULL;