ALTER TABLE `quiz_attempt` ADD `request_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_attempt_request_id_unique` ON `quiz_attempt` (`request_id`);