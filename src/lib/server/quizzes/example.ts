import { quizToCsv } from '../../contest/quiz-csv';
import type { QuestionDraft } from '../../contest/quiz';

// The example quiz file the console offers for download; also the shape docs/quizzes.md shows.
// English on purpose: it is a template to overwrite, like the other CSV examples.

export const EXAMPLE_QUESTIONS: QuestionDraft[] = [
	{
		kind: 'single',
		prompt: 'Which product earns the most points?',
		pictureUrl: null,
		explanation: 'Check "How to score" for the points of every product.',
		options: [
			{ label: 'A phone', correct: true },
			{ label: 'A case', correct: false },
			{ label: 'A charger', correct: false }
		]
	},
	{
		kind: 'multiple',
		prompt: 'Which of these are accessories?',
		pictureUrl: null,
		explanation: 'Cases and chargers are accessories; a phone is not.',
		options: [
			{ label: 'Case', correct: true },
			{ label: 'Phone', correct: false },
			{ label: 'Charger', correct: true }
		]
	}
];

export const exampleQuizCsv = () => quizToCsv(EXAMPLE_QUESTIONS);
