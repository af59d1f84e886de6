ALTER TABLE `api_token` ADD `created_by_id` integer;--> statement-breakpoint
ALTER TABLE `api_token` ADD `expires_at` integer;