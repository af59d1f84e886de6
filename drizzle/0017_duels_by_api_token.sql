PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_challenge` (
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
	`created_by_id` integer,
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
INSERT INTO `__new_challenge`("id", "season_id", "subject_type", "challenger_id", "opponent_id", "measure", "period_from", "period_to", "stake_points", "status", "answer_by", "challenger_value", "opponent_value", "winner_id", "payout_entry_id", "created_by_id", "decided_by_id", "decided_at", "finished_at", "finalized_at", "request_id", "created_at") SELECT "id", "season_id", "subject_type", "challenger_id", "opponent_id", "measure", "period_from", "period_to", "stake_points", "status", "answer_by", "challenger_value", "opponent_value", "winner_id", "payout_entry_id", "created_by_id", "decided_by_id", "decided_at", "finished_at", "finalized_at", "request_id", "created_at" FROM `challenge`;--> statement-breakpoint
DROP TABLE `challenge`;--> statement-breakpoint
ALTER TABLE `__new_challenge` RENAME TO `challenge`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `challenge_request_id_unique` ON `challenge` (`request_id`);--> statement-breakpoint
CREATE INDEX `challenge_season_status_idx` ON `challenge` (`season_id`,`status`);--> statement-breakpoint
CREATE INDEX `challenge_status_idx` ON `challenge` (`status`);