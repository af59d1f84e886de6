import * as z from 'zod';
import { m } from '../../paraglide/messages.js';
import { parseMeasure } from '../../contest/measure';

// The challenge forms: a rep's challenge, a manager's duel or automatic pairing, and the stake
// budget. Values arrive as FormData text; the service checks what needs the database (members,
// categories, balances, the budget).

const id = () =>
	z.coerce
		.number()
		.int()
		.positive({ error: () => m.challenges_error_pick_opponent() });
const dateKey = z
	.string()
	.regex(/^\d{4}-\d{2}-\d{2}$/, { error: () => m.challenges_error_date() })
	.or(z.literal(''));

const common = {
	subject: z.enum(['user', 'team']),
	measure: z.string().refine((key) => parseMeasure(key) !== null, {
		error: () => m.challenges_error_measure()
	}),
	preset: z.enum(['today', 'week', 'custom']),
	fromDate: dateKey,
	toDate: dateKey,
	requestId: z.string().trim().min(8).max(100)
};

const stake = z.coerce
	.number({ error: () => m.challenges_error_stake_whole() })
	.int({ error: () => m.challenges_error_stake_whole() })
	.min(0, { error: () => m.challenges_error_stake_whole() })
	.max(1_000_000, { error: () => m.challenges_error_stake_whole() });

export const CHALLENGE_FORM_FIELDS = [
	'subject',
	'opponentId',
	'measure',
	'preset',
	'fromDate',
	'toDate',
	'stake',
	'requestId'
] as const;

/** A rep's challenge of a colleague (or their team's of another team). */
export const challengeFormSchema = z
	.object({ ...common, opponentId: id(), stake: stake.default(0) })
	.refine((v) => v.preset !== 'custom' || (v.fromDate !== '' && v.toDate !== ''), {
		error: () => m.challenges_error_date(),
		path: ['fromDate']
	});

export type ChallengeForm = z.infer<typeof challengeFormSchema>;

export const DUEL_FORM_FIELDS = [
	'subject',
	'challengerId',
	'opponentId',
	'measure',
	'preset',
	'fromDate',
	'toDate',
	'stake',
	'requestId'
] as const;

/** A manager's duel between two chosen people or teams. */
export const duelFormSchema = z
	.object({ ...common, challengerId: id(), opponentId: id(), stake: stake.default(0) })
	.refine((v) => v.challengerId !== v.opponentId, {
		error: () => m.challenges_error_self(),
		path: ['opponentId']
	})
	.refine((v) => v.preset !== 'custom' || (v.fromDate !== '' && v.toDate !== ''), {
		error: () => m.challenges_error_date(),
		path: ['fromDate']
	});

export type DuelForm = z.infer<typeof duelFormSchema>;

export const PAIRING_FORM_FIELDS = [
	'subject',
	'mode',
	'measure',
	'preset',
	'fromDate',
	'toDate',
	'requestId'
] as const;

/** A manager's automatic pairing (random, or ranking neighbours). */
export const pairingFormSchema = z
	.object({ ...common, mode: z.enum(['random', 'neighbours']) })
	.refine((v) => v.preset !== 'custom' || (v.fromDate !== '' && v.toDate !== ''), {
		error: () => m.challenges_error_date(),
		path: ['fromDate']
	});

export type PairingForm = z.infer<typeof pairingFormSchema>;

export const budgetFormSchema = z.object({ budget: stake });
