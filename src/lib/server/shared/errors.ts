// The one error type services throw when a request cannot be done as asked. It carries what both
// ends need: an HTTP status and a stable code for the API (api/respond.ts turns it into
// `{ error: { code, message, details } }`), and a message, optionally tied to one form field,
// for the console (shared/form.ts turns it into the one `fail()` payload). Anything else thrown
// is a bug and answers 500.

export interface AppErrorOptions {
	/** The form field the message is about, when there is one. */
	field?: string;
	/** Extra facts for API clients (for example which rows failed). */
	details?: Record<string, unknown>;
}

export class AppError extends Error {
	readonly field?: string;
	readonly details: Record<string, unknown>;

	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		options: AppErrorOptions = {}
	) {
		super(message);
		this.name = 'AppError';
		this.field = options.field;
		this.details = options.details ?? {};
	}
}

export const badRequest = (code: string, message: string, options?: AppErrorOptions) =>
	new AppError(400, code, message, options);
export const notFound = (code: string, message: string, options?: AppErrorOptions) =>
	new AppError(404, code, message, options);
export const conflict = (code: string, message: string, options?: AppErrorOptions) =>
	new AppError(409, code, message, options);
