CREATE TABLE `quiz` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`title` text NOT NULL,
	`intro` text,
	`points_per_correct` integer DEFAULT 10 NOT NULL,
	`pass_percent` integer DEFAULT 80 NOT NULL,
	`opens_at` integer NOT NULL,
	`closes_at` integer,
	`published_at` integer,
	`announced_at` integer,
	`created_by_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `quiz_season_idx` ON `quiz` (`season_id`,`opens_at`);--> statement-breakpoint
CREATE TABLE `quiz_attempt` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`quiz_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`answers` text NOT NULL,
	`correct_count` integer NOT NULL,
	`question_count` integer NOT NULL,
	`passed` integer NOT NULL,
	`earning` integer NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`ledger_entry_id` integer,
	`request_id` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`quiz_id`) REFERENCES `quiz`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ledger_entry_id`) REFERENCES `ledger_entry`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_attempt_request_id_unique` ON `quiz_attempt` (`request_id`);--> statement-breakpoint
CREATE INDEX `quiz_attempt_quiz_user_idx` ON `quiz_attempt` (`quiz_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `quiz_attempt_user_idx` ON `quiz_attempt` (`user_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_attempt_earning_uq` ON `quiz_attempt` (`quiz_id`,`user_id`) WHERE earning = 1;--> statement-breakpoint
CREATE TABLE `quiz_option` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`question_id` integer NOT NULL,
	`position` integer NOT NULL,
	`label` text NOT NULL,
	`correct` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`question_id`) REFERENCES `quiz_question`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `quiz_option_question_idx` ON `quiz_option` (`question_id`,`position`);--> statement-breakpoint
CREATE TABLE `quiz_question` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`quiz_id` integer NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`prompt` text NOT NULL,
	`picture_url` text,
	`explanation` text,
	FOREIGN KEY (`quiz_id`) REFERENCES `quiz`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `quiz_question_quiz_idx` ON `quiz_question` (`quiz_id`,`position`);--> statement-breakpoint
CREATE TABLE `referral` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`season_id` integer NOT NULL,
	`referrer_id` integer NOT NULL,
	`customer_name` text NOT NULL,
	`customer_ref` text,
	`customer_key` text,
	`contact` text,
	`note` text,
	`status` text DEFAULT 'open' NOT NULL,
	`points` integer NOT NULL,
	`ledger_entry_id` integer,
	`duplicate_of_id` integer,
	`matched_sale_id` integer,
	`expires_at` integer NOT NULL,
	`decided_by_id` integer,
	`decided_at` integer,
	`decision_reason` text,
	`request_id` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`referrer_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ledger_entry_id`) REFERENCES `ledger_entry`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`duplicate_of_id`) REFERENCES `referral`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`matched_sale_id`) REFERENCES `sale`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `referral_request_id_unique` ON `referral` (`request_id`);--> statement-breakpoint
CREATE INDEX `referral_season_key_idx` ON `referral` (`season_id`,`customer_key`);--> statement-breakpoint
CREATE INDEX `referral_key_status_idx` ON `referral` (`customer_key`,`status`);--> statement-breakpoint
CREATE INDEX `referral_status_expiry_idx` ON `referral` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `referral_referrer_idx` ON `referral` (`referrer_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `reward` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`picture_url` text,
	`price_points` integer NOT NULL,
	`cost_cents` integer DEFAULT 0 NOT NULL,
	`stock` integer,
	`per_person_limit` integer,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reward_redemption` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reward_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`season_id` integer NOT NULL,
	`points` integer NOT NULL,
	`cost_cents` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`request_id` text,
	`decided_by_id` integer,
	`decided_at` integer,
	`reason` text,
	`fulfilled_by_id` integer,
	`fulfilled_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`reward_id`) REFERENCES `reward`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`fulfilled_by_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reward_redemption_request_id_unique` ON `reward_redemption` (`request_id`);--> statement-breakpoint
CREATE INDEX `redemption_season_user_idx` ON `reward_redemption` (`season_id`,`user_id`,`status`);--> statement-breakpoint
CREATE INDEX `redemption_reward_idx` ON `reward_redemption` (`reward_id`,`status`);--> statement-breakpoint
CREATE INDEX `redemption_status_idx` ON `reward_redemption` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `reward_season` (
	`reward_id` integer NOT NULL,
	`season_id` integer NOT NULL,
	PRIMARY KEY(`reward_id`, `season_id`),
	FOREIGN KEY (`reward_id`) REFERENCES `reward`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `season_programme` (
	`season_id` integer PRIMARY KEY NOT NULL,
	`referral_points` integer DEFAULT 50 NOT NULL,
	`referral_lapse_days` integer DEFAULT 60 NOT NULL,
	`spend_share_percent` integer DEFAULT 100 NOT NULL,
	`reward_budget_cents` integer,
	`point_value_cents` integer DEFAULT 1 NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`season_id`) REFERENCES `season`(`id`) ON UPDATE no action ON DELETE cascade
);
