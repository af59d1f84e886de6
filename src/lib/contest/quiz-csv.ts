import { readTable, writeCsv, type CsvError } from '../csv';
import { m } from '../paraglide/messages.js';
import {
	isPictureUrl,
	questionProblem,
	QUIZ_LIMITS,
	type QuestionDraft,
	type QuestionKind,
	type QuestionProblem
} from './quiz';

// A quiz's questions as a CSV file, one question per row:
// `question,kind,option1,…,option6,correct,explanation,picture`. `correct` lists the numbers of
// the right options ("2", or "1;3" — commas work too inside quotes); `kind` is single or
// multiple, or empty to follow the number of right options. Rows are numbered as a spreadsheet
// shows them: the header is row 1. A file with any bad row imports nothing.

const OPTION_COLUMNS = ['option1', 'option2', 'option3', 'option4', 'option5', 'option6'] as const;
export const QUIZ_CSV_COLUMNS = [
	'question',
	'kind',
	...OPTION_COLUMNS,
	'correct',
	'explanation',
	'picture'
] as const;
type Column = (typeof QUIZ_CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['question', 'option1', 'option2', 'correct'];

export function problemMessage(problem: QuestionProblem): string {
	switch (problem) {
		case 'too_few_options':
			return m.quiz_error_too_few_options({ min: QUIZ_LIMITS.minOptions });
		case 'too_many_options':
			return m.quiz_error_too_many_options({ max: QUIZ_LIMITS.maxOptions });
		case 'no_correct':
			return m.quiz_error_no_correct();
		case 'one_correct':
			return m.quiz_error_one_correct();
	}
}

function parseRow(row: number, cells: Record<Column, string>, errors: CsvError[]) {
	const fail = (column: Column | null, message: string) => {
		errors.push({ row, column, message });
		return null;
	};
	const prompt = cells.question ?? '';
	if (!prompt) return fail('question', m.quiz_error_prompt());
	if (prompt.length > QUIZ_LIMITS.prompt)
		return fail('question', m.quiz_error_prompt_long({ max: QUIZ_LIMITS.prompt }));
	const kindText = (cells.kind ?? '').toLowerCase();
	if (kindText !== '' && kindText !== 'single' && kindText !== 'multiple')
		return fail('kind', m.quiz_error_kind());
	const numbered: { n: number; label: string }[] = [];
	for (const [index, column] of OPTION_COLUMNS.entries()) {
		const label = cells[column] ?? '';
		if (label.length > QUIZ_LIMITS.option)
			return fail(column, m.quiz_error_option_long({ max: QUIZ_LIMITS.option }));
		if (label) numbered.push({ n: index + 1, label });
	}
	const parts = (cells.correct ?? '').split(/[;,\s]+/).filter(Boolean);
	if (parts.length === 0 || parts.some((p) => !/^[1-6]$/.test(p)))
		return fail('correct', m.quiz_error_correct_numbers());
	const right = new Set(parts.map(Number));
	for (const n of right) {
		if (!numbered.some((o) => o.n === n))
			return fail('correct', m.quiz_error_correct_empty_option({ n }));
	}
	const explanation = cells.explanation ?? '';
	if (explanation.length > QUIZ_LIMITS.explanation)
		return fail('explanation', m.quiz_error_explanation_long({ max: QUIZ_LIMITS.explanation }));
	const picture = cells.picture ?? '';
	if (picture && (picture.length > QUIZ_LIMITS.pictureUrl || !isPictureUrl(picture)))
		return fail('picture', m.quiz_error_picture());
	const kind: QuestionKind =
		kindText === 'single' || kindText === 'multiple'
			? kindText
			: right.size > 1
				? 'multiple'
				: 'single';
	const question: QuestionDraft = {
		kind,
		prompt,
		pictureUrl: picture || null,
		explanation: explanation || null,
		options: numbered.map((o) => ({ label: o.label, correct: right.has(o.n) }))
	};
	const problem = questionProblem(question);
	if (problem)
		return fail(problem === 'too_few_options' ? 'option2' : 'correct', problemMessage(problem));
	return question;
}

/**
 * Parses and validates a quiz file. `questions` is only given when `errors` is empty: a file
 * with any bad row is imported not at all.
 */
export function parseQuizCsv(text: string): { questions: QuestionDraft[]; errors: CsvError[] } {
	const table = readTable(text, {
		columns: QUIZ_CSV_COLUMNS,
		required: REQUIRED,
		maxRows: QUIZ_LIMITS.questions,
		rowsAre: 'questions',
		whenEmpty: m.quiz_import_no_rows(),
		unescape: true
	});
	const errors = table.errors;
	const questions: QuestionDraft[] = [];
	for (const { row, cells } of table.rows) {
		const question = parseRow(row, cells, errors);
		if (question) questions.push(question);
	}
	errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
	return { questions: errors.length === 0 ? questions : [], errors };
}

/** Questions as a file parseQuizCsv reads back unchanged (the downloadable example, exports). */
export function quizToCsv(questions: readonly QuestionDraft[]): string {
	return writeCsv(
		QUIZ_CSV_COLUMNS,
		questions.map((q) => {
			const options = OPTION_COLUMNS.map((_, i) => q.options[i]?.label ?? '');
			const correct = q.options.flatMap((o, i) => (o.correct ? [String(i + 1)] : [])).join(';');
			return [q.prompt, q.kind, ...options, correct, q.explanation ?? '', q.pictureUrl ?? ''];
		})
	);
}
