ALTER TABLE `user` ADD `employee_number` text;--> statement-breakpoint
CREATE UNIQUE INDEX `user_employee_number_unique` ON `user` (`employee_number`);