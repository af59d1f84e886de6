CREATE TABLE `import_job` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_user_id` integer,
	`owner_token_id` integer,
	`dry_run` integer NOT NULL,
	`exclusive` integer NOT NULL,
	`options` text NOT NULL,
	`upload_id` integer,
	`status` text NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`checkpoint` text,
	`kept` text,
	`report` text,
	`error` text,
	`failure` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`holder` text,
	`heartbeat_at` integer,
	FOREIGN KEY (`owner_user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`owner_token_id`) REFERENCES `api_token`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`upload_id`) REFERENCES `import_upload`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `import_job_status_idx` ON `import_job` (`status`,`heartbeat_at`);--> statement-breakpoint
CREATE INDEX `import_job_finished_idx` ON `import_job` (`finished_at`);--> statement-breakpoint
CREATE TABLE `import_job_error` (
	`job_id` text NOT NULL,
	`seq` integer NOT NULL,
	`csv` text NOT NULL,
	PRIMARY KEY(`job_id`, `seq`),
	FOREIGN KEY (`job_id`) REFERENCES `import_job`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `import_upload` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `import_upload_chunk` (
	`upload_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`upload_id`, `seq`),
	FOREIGN KEY (`upload_id`) REFERENCES `import_upload`(`id`) ON UPDATE no action ON DELETE cascade
);
