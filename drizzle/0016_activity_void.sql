ALTER TABLE `activity` ADD `voided_by_id` integer REFERENCES user(id);--> statement-breakpoint
ALTER TABLE `activity` ADD `voided_at` integer;--> statement-breakpoint
ALTER TABLE `activity` ADD `void_reason` text;