import { describe, expect, it } from 'vitest';
import {
	checkAnswers,
	isAnswerRight,
	passes,
	questionProblem,
	quizStatus,
	scoreAttempt,
	type QuestionDraft,
	type QuestionKey
} from './quiz';
import { parseQuizCsv, quizToCsv } from './quiz-csv';

const single: QuestionKey = {
	id: 1,
	kind: 'single',
	options: [
		{ id: 11, correct: false },
		{ id: 12, correct: true },
		{ id: 13, correct: false }
	]
};
const multiple: QuestionKey = {
	id: 2,
	kind: 'multiple',
	options: [
		{ id: 21, correct: true },
		{ id: 22, correct: false },
		{ id: 23, correct: true }
	]
};

describe('isAnswerRight', () => {
	it.each([
		['single: the right option', single, [12], true],
		['single: a wrong option', single, [11], false],
		['single: nothing chosen', single, [], false],
		['single: the right one and another', single, [12, 13], false],
		['multiple: exactly the right set', multiple, [21, 23], true],
		['multiple: the right set in another order', multiple, [23, 21], true],
		['multiple: only part of it (no partial credit)', multiple, [21], false],
		['multiple: the right set and a wrong one', multiple, [21, 22, 23], false],
		['multiple: nothing chosen', multiple, [], false]
	] as const)('%s', (_, question, chosen, expected) => {
		expect(isAnswerRight(question, chosen)).toBe(expected);
	});
});

describe('scoreAttempt', () => {
	const terms = { pointsPerCorrect: 10, passPercent: 50 };
	it.each([
		['both right, earning', { '1': [12], '2': [21, 23] }, true, 2, true, 20],
		['both right, a retry earns nothing', { '1': [12], '2': [21, 23] }, false, 2, true, 0],
		['one right passes at 50 %', { '1': [12], '2': [21] }, true, 1, true, 10],
		['none right', { '1': [11], '2': [22] }, true, 0, false, 0],
		['unanswered counts as wrong', {}, true, 0, false, 0]
	] as const)('%s', (_, answers, earning, correctCount, passed, points) => {
		const score = scoreAttempt([single, multiple], answers, terms, earning);
		expect(score).toMatchObject({ correctCount, questionCount: 2, passed, points });
		expect(score.correct.map((c) => c.questionId)).toEqual([1, 2]);
	});
});

describe('passes', () => {
	it.each([
		[4, 5, 80, true],
		[3, 5, 80, false],
		[5, 5, 100, true],
		[0, 5, 0, true],
		[2, 3, 67, false],
		[2, 3, 66, true],
		[0, 0, 0, false]
	])('%i of %i at %i %% → %s', (correct, total, percent, expected) => {
		expect(passes(correct, total, percent)).toBe(expected);
	});
});

describe('checkAnswers', () => {
	it.each([
		['all answered', { '1': [12], '2': [21] }, []],
		['one unanswered', { '1': [12] }, [{ questionId: 2, problem: 'unanswered' }]],
		[
			'two on a single choice',
			{ '1': [11, 12], '2': [21] },
			[{ questionId: 1, problem: 'one_only' }]
		],
		[
			'an option of another question',
			{ '1': [21], '2': [21] },
			[{ questionId: 1, problem: 'unknown_option' }]
		]
	] as const)('%s', (_, answers, expected) => {
		expect(checkAnswers([single, multiple], answers)).toEqual(expected);
	});
});

describe('quizStatus', () => {
	const base = { publishedAt: 1, opensAt: 100, closesAt: 200 };
	it.each([
		[
			'a draft is a draft whatever the time',
			{ ...base, publishedAt: null },
			150,
			undefined,
			'draft'
		],
		['published, before it opens', base, 99, undefined, 'scheduled'],
		['at the opening instant', base, 100, undefined, 'open'],
		['just before it closes', base, 199, undefined, 'open'],
		['at the closing instant', base, 200, undefined, 'closed'],
		['no close: open until the season ends', { ...base, closesAt: null }, 299, 300, 'open'],
		['no close: closed when the season has ended', { ...base, closesAt: null }, 300, 300, 'closed'],
		['no close and no season end: open', { ...base, closesAt: null }, 10_000, undefined, 'open']
	] as const)('%s', (_, quiz, now, seasonEnd, expected) => {
		expect(quizStatus(quiz, now, seasonEnd)).toBe(expected);
	});
});

describe('questionProblem', () => {
	const q = (kind: 'single' | 'multiple', correct: boolean[]): QuestionDraft => ({
		kind,
		prompt: 'Q',
		pictureUrl: null,
		explanation: null,
		options: correct.map((c, i) => ({ label: `o${i}`, correct: c }))
	});
	it.each([
		[q('single', [true, false]), null],
		[q('single', [true]), 'too_few_options'],
		[q('single', [true, false, false, false, false, false, false]), 'too_many_options'],
		[q('single', [false, false]), 'no_correct'],
		[q('single', [true, true]), 'one_correct'],
		[q('multiple', [true, true, false]), null],
		[q('multiple', [false, false]), 'no_correct']
	])('%o → %s', (question, expected) => {
		expect(questionProblem(question)).toBe(expected);
	});
});

describe('parseQuizCsv', () => {
	const header =
		'question,kind,option1,option2,option3,option4,option5,option6,correct,explanation,picture';
	it('reads single and multiple choice, infers the kind, and round-trips', () => {
		const text = [
			header,
			'Which case fits the X1?,,Slim,Rugged,,,,,2,The Rugged case fits it,',
			'Which are accessories?,multiple,Case,Phone,Headset,,,,"1;3",,https://example.com/a.png',
			'Pick one,single,A,B,C,,,,1,,'
		].join('\n');
		const { questions, errors } = parseQuizCsv(text);
		expect(errors).toEqual([]);
		expect(questions.map((q) => [q.kind, q.options.filter((o) => o.correct).length])).toEqual([
			['single', 1],
			['multiple', 2],
			['single', 1]
		]);
		expect(questions[0].explanation).toBe('The Rugged case fits it');
		expect(questions[1].pictureUrl).toBe('https://example.com/a.png');
		expect(parseQuizCsv(quizToCsv(questions)).questions).toEqual(questions);
	});

	it.each([
		['no question text', ',,A,B,,,,,1,,', 2, 'question'],
		['an unknown kind', 'Q,several,A,B,,,,,1,,', 2, 'kind'],
		['correct is not a number', 'Q,,A,B,,,,,B,,', 2, 'correct'],
		['correct names an empty option', 'Q,,A,B,,,,,3,,', 2, 'correct'],
		['single with two right answers', 'Q,single,A,B,,,,,1;2,,', 2, 'correct'],
		['one option only', 'Q,,A,,,,,,1,,', 2, 'option2'],
		['a picture that is not an address', 'Q,,A,B,,,,,1,,javascript:alert(1)', 2, 'picture']
	])('refuses %s and names row and column', (_, line, row, column) => {
		const { questions, errors } = parseQuizCsv(`${header}\nGood?,,Yes,No,,,,,1,,\n${line}`);
		expect(questions).toEqual([]);
		expect(errors).toEqual([expect.objectContaining({ row: row + 1, column })]);
	});

	it('refuses a file without the required columns', () => {
		const { errors } = parseQuizCsv('question,option1\nQ,A');
		expect(errors.map((e) => e.column)).toEqual(expect.arrayContaining(['option2', 'correct']));
	});

	it('refuses a file without questions', () => {
		expect(parseQuizCsv(`${header}\n`).errors).toHaveLength(1);
	});
});
