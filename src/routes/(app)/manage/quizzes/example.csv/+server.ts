import type { RequestHandler } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { csvResponse } from '$lib/csv';
import { exampleQuizCsv } from '$lib/server/quizzes/example';

/** A quiz file to start from, in the format the import reads (docs/quizzes.md). */
export const GET: RequestHandler = (event) => {
	requireRole(event, MANAGERS);
	return csvResponse(exampleQuizCsv(), 'quiz-example.csv');
};
