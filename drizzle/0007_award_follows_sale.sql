DROP INDEX `award_once_uq`;--> statement-breakpoint
ALTER TABLE `award` ADD `sale_id` integer REFERENCES sale(id);--> statement-breakpoint
ALTER TABLE `award` ADD `status` text DEFAULT 'confirmed' NOT NULL;--> statement-breakpoint
ALTER TABLE `award` ADD `voided_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `award_once_uq` ON `award` (`badge_id`,`subject_type`,`subject_id`,`period_key`) WHERE status <> 'void';--> statement-breakpoint
ALTER TABLE `ledger_entry` ADD `award_id` integer REFERENCES award(id);