import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datesIn } from '../../format/dates';
import { getLocale, overwriteGetLocale } from '../../paraglide/runtime.js';
import {
	ACTION_LABELS,
	actionLabel,
	describeEvent,
	referencedIds,
	type DescribeContext,
	type NamedKind
} from './describe';

const NAMES: Record<string, string> = {
	'user:5': 'Anna Kowalska',
	'season:1': 'Winter Sprint',
	'season:2': 'Autumn Cup',
	'team:7': 'Falcons',
	'team:8': 'Eagles',
	'product:3': 'Phone X',
	'badge:4': 'Hat trick',
	'rule:6': 'Triple on phones',
	'display:9': 'Lobby TV',
	'webhook:2': 'https://hooks.example.com/hb'
};

// 1 Dec 2026, 14:00 UTC = 15:00 in Amsterdam.
const AT = Date.UTC(2026, 11, 1, 14, 0);

const ctx: DescribeContext = {
	name: (kind: NamedKind, id: number) => NAMES[`${kind}:${id}`],
	seller: (id) => (id === 12 ? { id: 5, name: 'Anna Kowalska' } : undefined),
	timeZone: 'Europe/Amsterdam',
	dates: datesIn('Europe/Amsterdam')
};

const phoneRule = {
	name: 'Triple on phones',
	active: true,
	highlight: false,
	startsAt: null,
	endsAt: null,
	target: { kind: 'category', category: 'Phones' },
	effect: { kind: 'multiplier', factor: 3 },
	dailyCap: null
};

interface Case {
	action: string;
	subject: string;
	data: Record<string, unknown>;
	summary: string;
	details?: [string, string][];
	points?: number | null;
}

const CASES: Case[] = [
	{
		action: 'organisation.update',
		subject: 'organisation',
		data: {
			before: { defaultLocale: 'en', currency: 'EUR' },
			after: { defaultLocale: 'pl', currency: 'EUR' }
		},
		summary: 'Changed the organisation settings',
		details: [['Default language', 'English → Polski']]
	},
	{
		action: 'sale.confirm',
		subject: 'sale:12',
		data: { reason: null, points: 50 },
		summary: 'Confirmed sale #12 of Anna Kowalska',
		points: 50
	},
	{
		action: 'referral.confirm',
		subject: 'referral:4',
		data: { saleId: 12, points: 50 },
		summary: 'Referral confirmed: referral #4',
		details: [['Sale', '12']],
		points: 50
	},
	{
		action: 'referral.reject',
		subject: 'referral:4',
		data: { reason: 'Same customer as #3', points: -50 },
		summary: 'Referral rejected: referral #4',
		points: -50
	},
	{
		action: 'referral.lapse',
		subject: 'referral:4',
		data: { points: -50 },
		summary: 'Referral lapsed: referral #4',
		points: -50
	},
	{
		action: 'challenge.create',
		subject: 'challenge:7',
		data: { challengerId: 1, opponentId: 2, measure: 'points', stake: 25 },
		summary: 'Duel set: challenge #7',
		details: [
			['Challenger', '1'],
			['Opponent', '2'],
			['Measure', 'points'],
			['Stake', '25']
		]
	},
	{
		action: 'challenge.pair',
		subject: 'season:1',
		data: { mode: 'neighbours', subject: 'user', measure: 'points', duels: 3 },
		summary: 'Duels paired: Winter Sprint',
		details: [
			['Mode', 'neighbours'],
			['Subject', 'user'],
			['Measure', 'points'],
			['Duels', '3']
		]
	},
	{
		action: 'challenge.budget',
		subject: 'season:1',
		data: { budget: 500 },
		summary: 'Stake budget set: Winter Sprint',
		details: [['Budget', '500']]
	},
	{
		action: 'season.referral_settings',
		subject: 'season:1',
		data: {
			before: { referralPoints: 50, referralLapseDays: 60 },
			after: { referralPoints: 30, referralLapseDays: 10 }
		},
		summary: 'Referral settings changed: Winter Sprint',
		details: [
			['Before', 'referral points 50, referral lapse days 60'],
			['After', 'referral points 30, referral lapse days 10']
		]
	},
	{
		action: 'sale.reject',
		subject: 'sale:12',
		data: { reason: 'duplicate', points: 50 },
		summary: 'Rejected sale #12 of Anna Kowalska',
		points: -50
	},
	{
		action: 'sale.reverse',
		subject: 'sale:13',
		data: { reason: 'refund', points: 20 },
		summary: 'Reversed sale #13',
		points: -20
	},
	{
		action: 'sales.import',
		subject: 'sales',
		data: { rows: 120, new: 100, duplicate: 15, rejected: 5 },
		summary: 'Imported 120 rows of sales',
		details: [
			['New sales', '100'],
			['Already known', '15'],
			['Rejected rows', '5']
		]
	},
	{
		action: 'points.adjust',
		subject: 'user:5',
		data: { seasonId: 1, points: -20, reason: 'typo' },
		summary: 'Adjusted the points of Anna Kowalska by -20',
		points: -20
	},
	{
		action: 'season.create',
		subject: 'season:1',
		data: { name: 'Winter Sprint', status: 'draft', from: 'clone:2' },
		summary: 'Created season Winter Sprint (draft)',
		details: [['Made as', 'a copy of Autumn Cup']]
	},
	{
		action: 'season.publish',
		subject: 'season:1',
		data: {},
		summary: 'Published season Winter Sprint'
	},
	{
		action: 'season.update',
		subject: 'season:1',
		data: {
			endsAt: { from: AT, to: AT + 7 * 86_400_000 },
			target: { from: null, to: 5000 },
			banner: { set: true }
		},
		summary: 'Edited season Winter Sprint',
		details: [
			['Ends', '1 Dec 2026, 15:00 → 8 Dec 2026, 15:00'],
			['Target', 'none → 5,000 points'],
			['Banner', 'new one']
		]
	},
	{
		action: 'season.configure',
		subject: 'season:1',
		data: {
			requireConfirmation: { from: false, to: true },
			autoConfirmDays: { from: null, to: 7 },
			rankBy: { from: 'confirmed', to: 'total' }
		},
		summary: 'Changed the settings of season Winter Sprint',
		details: [
			['Sales need confirmation', 'no → yes'],
			['Confirm pending sales automatically after', 'none → 7 days'],
			['Rank by', 'confirmed points → all points, pending included']
		]
	},
	{
		action: 'season.levels',
		subject: 'season:1',
		data: {
			tiers: { from: 'default', to: [{ name: 'Gold', minPoints: 1000 }] },
			holidays: { from: [], to: ['2026-12-25'] }
		},
		summary: 'Changed the levels and days off of season Winter Sprint',
		details: [
			['Levels', 'the standard levels → Gold from 1,000'],
			['Days off', 'none → 2026-12-25']
		]
	},
	{
		action: 'season.announce',
		subject: 'season:1',
		data: { from: null, to: 'Double points today!' },
		summary: 'Posted an announcement on season Winter Sprint',
		details: [['Announcement', '“Double points today!”']]
	},
	{
		action: 'season.announcement_clear',
		subject: 'season:1',
		data: { from: 'Old news', to: null },
		summary: 'Removed the announcement of season Winter Sprint',
		details: [['It read', '“Old news”']]
	},
	{
		action: 'season.recalculate',
		subject: 'season:1',
		data: { salesChecked: 1200, salesChanged: 3, pointsBefore: 150, pointsAfter: 450 },
		summary: 'Recalculated season Winter Sprint',
		details: [
			['Sales checked', '1,200'],
			['Sales changed', '3'],
			['Points of the changed sales', '150 → 450']
		]
	},
	{
		action: 'season.recalculate',
		subject: 'season:1',
		data: {
			salesChecked: 1200,
			salesChanged: 0,
			activitiesChecked: 80,
			activitiesChanged: 4,
			pointsBefore: 60,
			pointsAfter: 120
		},
		summary: 'Recalculated season Winter Sprint',
		details: [
			['Sales checked', '1,200'],
			['Sales changed', '0'],
			['Activities checked', '80'],
			['Activities changed', '4'],
			['Points of the changed sales and activities', '60 → 120']
		]
	},
	{
		action: 'season.prize.create',
		subject: 'season:1',
		data: { key: 'p1', title: 'A weekend away', image: 'none' },
		summary: 'Added the prize “A weekend away” to season Winter Sprint'
	},
	{
		action: 'season.prize.update',
		subject: 'season:1',
		data: { key: 'p1', title: 'A weekend away', image: 'set' },
		summary: 'Changed the prize “A weekend away” of season Winter Sprint',
		details: [['Picture', 'yes']]
	},
	{
		action: 'season.prize.remove',
		subject: 'season:1',
		data: { key: 'p1', title: 'A weekend away' },
		summary: 'Removed the prize “A weekend away” of season Winter Sprint'
	},
	{
		action: 'team.create',
		subject: 'team:7',
		data: { seasonId: 1, name: 'Falcons', color: '#2563eb', emoji: '🦅' },
		summary: 'Created team 🦅 Falcons',
		details: [['Colour', '#2563eb']]
	},
	{
		action: 'team.update',
		subject: 'team:7',
		data: { seasonId: 1, name: { from: 'Hawks', to: 'Falcons' } },
		summary: 'Changed team Falcons',
		details: [['Name', 'Hawks → Falcons']]
	},
	{
		action: 'team.delete',
		subject: 'team:99',
		data: { seasonId: 1, name: 'Owls' },
		summary: 'Deleted team Owls'
	},
	{
		action: 'member.invite',
		subject: 'user:5',
		data: { email: 'anna@example.com', seasonId: 1, teamId: 7 },
		summary: 'Invited Anna Kowalska to team Falcons',
		details: [['Email', 'anna@example.com']]
	},
	{
		action: 'member.accept_invite',
		subject: 'user:5',
		data: {},
		summary: 'Accepted the invitation and set a password'
	},
	{
		action: 'member.add',
		subject: 'user:5',
		data: { seasonId: 1, teamId: 7 },
		summary: 'Added Anna Kowalska to team Falcons'
	},
	{
		action: 'member.move',
		subject: 'user:5',
		data: { seasonId: 1, fromTeamId: 7, toTeamId: 8 },
		summary: 'Moved Anna Kowalska from Falcons to Eagles'
	},
	{
		action: 'member.remove',
		subject: 'user:5',
		data: { seasonId: 1, teamId: 99 },
		summary: 'Removed Anna Kowalska from team a team that no longer exists'
	},
	{
		action: 'member.reset_link',
		subject: 'user:5',
		data: { expiresAt: AT },
		summary: 'Issued a password reset link for Anna Kowalska',
		details: [['Valid until', '1 Dec 2026, 15:00']]
	},
	{
		action: 'member.reset_password',
		subject: 'user:5',
		data: {},
		summary: 'Set a new password with a reset link'
	},
	{
		action: 'product.create',
		subject: 'product:3',
		data: { seasonId: 1, sku: 'PX', name: 'Phone X', category: 'Phones', points: 50, price: 99900 },
		summary: 'Added the product Phone X (PX)',
		details: [
			['Category', 'Phones'],
			['Points', '50 points'],
			['Price', '€999.00']
		]
	},
	{
		action: 'product.update',
		subject: 'product:3',
		data: { seasonId: 1, sku: 'PX', changes: { price: { from: 99900, to: 89900 } } },
		summary: 'Changed the product Phone X (PX)',
		details: [['Price', '€999.00 → €899.00']]
	},
	{
		action: 'product.activate',
		subject: 'product:3',
		data: { seasonId: 1, sku: 'PX' },
		summary: 'Switched on the product Phone X (PX)'
	},
	{
		action: 'product.deactivate',
		subject: 'product:77',
		data: { seasonId: 1, sku: 'OLD' },
		summary: 'Switched off the product OLD (OLD)'
	},
	{
		action: 'catalogue.import',
		subject: 'season:1',
		data: {
			rows: 3,
			added: ['PX'],
			updated: [{ sku: 'CASE', changes: { price: { from: 100, to: 200 } } }],
			unchanged: 1
		},
		summary: 'Imported the catalogue of season Winter Sprint (3 rows)',
		details: [
			['Added', 'PX'],
			['Changed', 'CASE'],
			['Unchanged', '1 product']
		]
	},
	{
		action: 'rule.create',
		subject: 'rule:6',
		data: { seasonId: 1, ...phoneRule },
		summary: 'Created the rule “Triple on phones”',
		details: [['Rule', 'Triple points on all phones']]
	},
	{
		action: 'rule.update',
		subject: 'rule:6',
		data: {
			seasonId: 1,
			before: { ...phoneRule, effect: { kind: 'multiplier', factor: 2 } },
			after: phoneRule
		},
		summary: 'Changed the rule “Triple on phones”',
		details: [
			['Before', 'Double points on all phones'],
			['After', 'Triple points on all phones']
		]
	},
	{
		action: 'rule.activate',
		subject: 'rule:6',
		data: { seasonId: 1, name: 'Triple on phones' },
		summary: 'Switched on the rule “Triple on phones”'
	},
	{
		action: 'rule.deactivate',
		subject: 'rule:6',
		data: { seasonId: 1, name: 'Triple on phones' },
		summary: 'Switched off the rule “Triple on phones”'
	},
	{
		action: 'rule.delete',
		subject: 'rule:6',
		data: { seasonId: 1, ...phoneRule },
		summary: 'Deleted the rule “Triple on phones”',
		details: [['Rule', 'Triple points on all phones']]
	},
	{
		action: 'sprint.create',
		subject: 'sprint:2',
		data: { seasonId: 1, name: 'First to 500' },
		summary: 'Created the sprint “First to 500”'
	},
	{
		action: 'knockout.create',
		subject: 'knockout:4',
		data: { seasonId: 1, name: 'December cup' },
		summary: 'Created the knockout “December cup”'
	},
	{
		action: 'sprint.update',
		subject: 'sprint:2',
		data: {
			seasonId: 1,
			name: 'First to 600',
			changes: {
				name: { from: 'First to 500', to: 'First to 600' },
				endsAt: { from: AT, to: AT + 86_400_000 },
				subject: { from: 'user', to: 'team' },
				measure: { from: 'points', to: 'sales' }
			}
		},
		summary: 'Changed the sprint “First to 600”',
		details: [
			['Name', 'First to 500 → First to 600'],
			['Ends', '1 Dec 2026, 15:00 → 2 Dec 2026, 15:00'],
			['Who races', 'People → Teams'],
			['What counts', 'points → sales']
		]
	},
	{
		action: 'sprint.delete',
		subject: 'sprint:2',
		data: { seasonId: 1, name: 'First to 500' },
		summary: 'Deleted the sprint “First to 500”'
	},
	{
		action: 'sprint.cancel',
		subject: 'sprint:2',
		data: { seasonId: 1, name: 'First to 500' },
		summary: 'Called off the sprint “First to 500”'
	},
	{
		action: 'knockout.update',
		subject: 'knockout:4',
		data: {
			seasonId: 1,
			name: 'December cup',
			changes: {
				prize: { from: null, to: 'A trophy' },
				roundUnit: { from: 'day', to: 'hour' },
				graceHours: { from: 2, to: 4 }
			}
		},
		summary: 'Changed the knockout “December cup”',
		details: [
			['Prize', 'none → A trophy'],
			['Unit of the round length', 'days → hours'],
			['Grace after each round (hours)', '2 → 4']
		]
	},
	{
		action: 'knockout.delete',
		subject: 'knockout:4',
		data: { seasonId: 1, name: 'December cup' },
		summary: 'Deleted the knockout “December cup”'
	},
	{
		action: 'knockout.cancel',
		subject: 'knockout:4',
		data: { seasonId: 1, name: 'December cup' },
		summary: 'Called off the knockout “December cup”'
	},
	{
		action: 'quiz.create',
		subject: 'quiz:3',
		data: { seasonId: 1, title: 'Know your offers' },
		summary: 'Created the quiz “Know your offers”'
	},
	{
		action: 'quiz.update',
		subject: 'quiz:3',
		data: { seasonId: 1, title: 'Know your offers', questionsChanged: true },
		summary: 'Changed the quiz “Know your offers” and its questions'
	},
	{
		action: 'quiz.publish',
		subject: 'quiz:3',
		data: { seasonId: 1, title: 'Know your offers' },
		summary: 'Published the quiz “Know your offers”'
	},
	{
		action: 'activity_type.create',
		subject: 'activity_type:2',
		data: {},
		summary: 'Activity type created: activity type #2'
	},
	{
		action: 'activity_type.update',
		subject: 'activity_type:2',
		data: {},
		summary: 'Activity type changed: activity type #2'
	},
	{
		action: 'activity_type.activate',
		subject: 'activity_type:2',
		data: {},
		summary: 'Activity type turned on: activity type #2'
	},
	{
		action: 'activity_type.deactivate',
		subject: 'activity_type:2',
		data: {},
		summary: 'Activity type turned off: activity type #2'
	},
	{
		action: 'activity.import',
		subject: 'season:1',
		data: {},
		summary: 'Activities imported: Winter Sprint'
	},
	{
		action: 'activity.void',
		subject: 'activity:31',
		data: { seasonId: 1, userId: 5, type: 'call', quantity: 3, points: 6, reason: 'logged twice' },
		summary: 'Voided activity #31 of Anna Kowalska',
		points: -6
	},
	{
		action: 'activity.void',
		subject: 'activity:32',
		data: { seasonId: 1, userId: 99, type: 'call', quantity: 1, points: 2, reason: 'test' },
		summary: 'Voided activity #32',
		points: -2
	},
	{
		action: 'badge.create',
		subject: 'badge:4',
		data: {
			seasonId: 1,
			name: 'Hat trick',
			emoji: '🎩',
			description: 'Three in a day',
			points: 25,
			criterion: { kind: 'first_sale' },
			active: true
		},
		summary: 'Created the badge 🎩 Hat trick',
		details: [
			['Description', 'Three in a day'],
			['Points', '25 points'],
			['Earned for', 'First sale of the season']
		]
	},
	{
		action: 'badge.update',
		subject: 'badge:4',
		data: {
			seasonId: 1,
			name: 'Hat trick',
			before: { name: 'Hat trick', points: 25 },
			after: { name: 'Hat trick', points: 30 }
		},
		summary: 'Changed the badge Hat trick',
		details: [['Points', '25 points → 30 points']]
	},
	{
		action: 'badge.activate',
		subject: 'badge:4',
		data: { seasonId: 1, name: 'Hat trick' },
		summary: 'Switched on the badge Hat trick'
	},
	{
		action: 'badge.deactivate',
		subject: 'badge:4',
		data: { seasonId: 1, name: 'Hat trick' },
		summary: 'Switched off the badge Hat trick'
	},
	{
		action: 'badge.starter',
		subject: 'season:1',
		data: { seasonId: 1, added: ['First sale', 'Hat-trick'] },
		summary: 'Added the starter badges “First sale”, “Hat-trick” to season Winter Sprint'
	},
	{
		action: 'token.create',
		subject: 'token:4',
		data: { name: 'CRM sync', role: 'integration' },
		summary: 'Created the API token “CRM sync” with the integration role'
	},
	{
		action: 'token.revoke',
		subject: 'token:4',
		data: { name: 'CRM sync' },
		summary: 'Revoked the API token “CRM sync”'
	},
	{
		action: 'display.create',
		subject: 'display:9',
		data: { name: 'Lobby TV', seasonId: 1 },
		summary: 'Created the TV display “Lobby TV” for season Winter Sprint'
	},
	{
		action: 'display.revoke',
		subject: 'display:9',
		data: { name: 'Lobby TV', seasonId: 1 },
		summary: 'Revoked the TV display “Lobby TV”'
	},
	{
		action: 'webhook.create',
		subject: 'webhook:2',
		data: { url: 'https://hooks.example.com/hb', events: ['sale.confirmed', 'season.ended'] },
		summary: 'Added a webhook to https://hooks.example.com/hb',
		details: [['Events', 'sale.confirmed, season.ended']]
	},
	{
		action: 'webhook.enable',
		subject: 'webhook:2',
		data: { url: 'https://hooks.example.com/hb' },
		summary: 'Switched on the webhook to https://hooks.example.com/hb'
	},
	{
		action: 'webhook.disable',
		subject: 'webhook:2',
		data: { url: 'https://hooks.example.com/hb' },
		summary: 'Switched off the webhook to https://hooks.example.com/hb'
	},
	{
		action: 'webhook.delete',
		subject: 'webhook:2',
		data: { url: 'https://hooks.example.com/hb' },
		summary: 'Deleted the webhook to https://hooks.example.com/hb'
	},
	{
		action: 'webhook.test',
		subject: 'webhook:2',
		data: { url: 'https://hooks.example.com/hb' },
		summary: 'Sent a test event to the webhook https://hooks.example.com/hb'
	},
	{
		action: 'webhook.redeliver',
		subject: 'webhook:2',
		data: { url: 'https://hooks.example.com/hb', deliveryId: 7, event: 'sale.confirmed' },
		summary: 'Sent sale.confirmed again to the webhook https://hooks.example.com/hb'
	},
	{
		action: 'chat.create',
		subject: 'chat:3',
		data: { platform: 'slack', name: '#wins', events: ['big_sale', 'badge'] },
		summary: 'Chat channel added: #wins',
		details: [
			['Platform', 'slack'],
			['Events', 'big_sale, badge']
		]
	},
	{
		action: 'chat.update',
		subject: 'chat:3',
		data: { name: '#wins', events: ['big_sale'], bigSalePoints: 200 },
		summary: 'Chat channel events changed: #wins',
		details: [
			['Events', 'big_sale'],
			['Big sale points', '200']
		]
	},
	{
		action: 'chat.pause',
		subject: 'chat:3',
		data: { name: '#wins' },
		summary: 'Chat channel paused: #wins'
	},
	{
		action: 'chat.resume',
		subject: 'chat:3',
		data: { name: '#wins' },
		summary: 'Chat channel resumed: #wins'
	},
	{
		action: 'chat.delete',
		subject: 'chat:3',
		data: { name: '#wins' },
		summary: 'Chat channel deleted: #wins'
	},
	{
		action: 'chat.test',
		subject: 'chat:3',
		data: { name: '#wins', delivered: true },
		summary: 'Chat test message sent: #wins',
		details: [['Delivered', 'yes']]
	},
	{
		action: 'redemption.request',
		subject: 'redemption:4',
		data: { name: 'Coffee voucher', spentPoints: 50, seasonId: 1 },
		summary: 'Reward requested: Coffee voucher',
		details: [
			['Spent points', '50'],
			['Season', 'Winter Sprint']
		],
		points: null
	},
	{
		action: 'redemption.approve',
		subject: 'redemption:4',
		data: { name: 'Coffee voucher' },
		summary: 'Reward request approved: Coffee voucher'
	},
	{
		action: 'redemption.reject',
		subject: 'redemption:4',
		data: { name: 'Coffee voucher', reason: 'Out of stock' },
		summary: 'Reward request rejected: Coffee voucher'
	},
	{
		action: 'redemption.fulfil',
		subject: 'redemption:4',
		data: { name: 'Coffee voucher' },
		summary: 'Reward handed over: Coffee voucher'
	},
	{
		action: 'reward.create',
		subject: 'reward:2',
		data: {
			name: 'Mug',
			pointsEach: 100,
			costAmount: 500,
			stock: 5,
			perPersonLimit: null,
			active: true,
			seasons: []
		},
		summary: 'Reward added: Mug',
		details: [
			['Points each', '100'],
			['Cost amount', '€5.00'],
			['Stock', '5'],
			['Per person limit', 'none'],
			['Switched on', 'yes'],
			['Seasons', 'none']
		]
	},
	{
		action: 'reward.update',
		subject: 'reward:2',
		data: { name: 'Mug', pointsEach: 120, costAmount: 650 },
		summary: 'Reward changed: Mug',
		details: [
			['Points each', '120'],
			['Cost amount', '€6.50']
		]
	},
	{
		action: 'reward.delete',
		subject: 'reward:2',
		data: { name: 'Mug' },
		summary: 'Reward deleted: Mug'
	},
	{
		action: 'division.create',
		subject: 'season:1',
		data: { name: 'Gold dealers', promote: 2, relegate: 2 },
		summary: 'Division created: Winter Sprint',
		details: [
			['Promote', '2'],
			['Relegate', '2']
		]
	},
	{
		action: 'division.update',
		subject: 'season:1',
		data: { name: 'Gold dealers', promote: 1, relegate: 2 },
		summary: 'Division changed: Winter Sprint',
		details: [
			['Promote', '1'],
			['Relegate', '2']
		]
	},
	{
		action: 'division.delete',
		subject: 'season:1',
		data: { name: 'Gold dealers' },
		summary: 'Division removed: Winter Sprint'
	},
	{
		action: 'division.place',
		subject: 'season:1',
		data: { method: 'tier', people: 20, lastSeasonId: 2 },
		summary: 'People placed into divisions: Winter Sprint',
		details: [
			['Method', 'tier'],
			['People', '20'],
			['Last season', '2']
		]
	},
	{
		action: 'division.move',
		subject: 'user:5',
		data: { seasonId: 1, divisionId: 3 },
		summary: 'Moved to another division: Anna Kowalska',
		details: [
			['Season', 'Winter Sprint'],
			['Division', '3']
		]
	},
	{
		action: 'division.carry',
		subject: 'season:2',
		data: { fromSeasonId: 1, promoted: 4, relegated: 4 },
		summary: 'Promotion and relegation into the next season: Autumn Cup',
		details: [
			['From season', '1'],
			['Promoted', '4'],
			['Relegated', '4']
		]
	},
	{
		action: 'division.recarry',
		subject: 'season:2',
		data: { fromSeasonId: 1, moved: 2 },
		summary: 'Promotion and relegation decided again from the final results: Autumn Cup',
		details: [
			['From season', '1'],
			['Moved', '2']
		]
	},
	{
		action: 'quota.set',
		subject: 'user:5',
		data: { seasonId: 1, target: 1200 },
		summary: 'Target set: Anna Kowalska',
		details: [
			['Season', 'Winter Sprint'],
			['Target', '1,200 points']
		]
	},
	{
		action: 'quota.remove',
		subject: 'team:7',
		data: { seasonId: 1 },
		summary: 'Target removed: Falcons',
		details: [['Season', 'Winter Sprint']]
	},
	{
		action: 'quota.import',
		subject: 'season:1',
		data: { rows: 23 },
		summary: 'Targets imported: Winter Sprint',
		details: [['Rows', '23']]
	},
	{
		action: 'season.rewards_budget',
		subject: 'season:1',
		data: { spendSharePercent: 50, budgetAmount: 40000, pointValueAmount: 5 },
		summary: 'Reward budget settings changed: Winter Sprint',
		details: [
			['Spend share percent', '50'],
			['Budget amount', '€400.00'],
			['Point value amount', '€0.05']
		]
	}
];

/** What must never reach the page: JSON, epoch milliseconds, raw ids. */
function expectPlain(text: string) {
	expect(text).not.toMatch(/[{}[\]]|"\w+":/);
	expect(text).not.toMatch(/\d{1,3}(,\d{3}){3,}|\d{12,}/);
	expect(text).not.toMatch(/\bid\b|#undefined|undefined|null|NaN|\[object/i);
}

describe('describeEvent', () => {
	it.each(CASES)('$action: "$summary"', ({ action, subject, data, summary, details, points }) => {
		const described = describeEvent({ action, subject, data }, ctx);
		const text = described.parts.map((p) => p.text).join('');
		expect(text).toBe(summary);
		expect(described.details.map((d) => [d.label, d.value])).toEqual(details ?? []);
		if (points !== undefined) expect(described.points).toBe(points);
		for (const part of [text, ...described.details.flatMap((d) => [d.label, d.value])])
			expectPlain(part);
	});

	it('links the people it names to their page', () => {
		const { parts } = describeEvent(
			{ action: 'member.move', subject: 'user:5', data: { fromTeamId: 7, toTeamId: 8 } },
			ctx
		);
		expect(parts.find((p) => p.href)).toEqual({
			text: 'Anna Kowalska',
			href: '/manage/people/5'
		});
	});

	it('keeps the reason apart, for the quote beside the event', () => {
		const d = describeEvent(
			{ action: 'points.adjust', subject: 'user:5', data: { points: 5, reason: 'Fair play' } },
			ctx
		);
		expect(d.reason).toBe('Fair play');
		expect(d.details).toEqual([]);
	});

	it('words an action it does not know, without JSON', () => {
		const d = describeEvent(
			{
				action: 'survey.publish',
				subject: 'quiz:3',
				data: {
					name: 'Phones 101',
					seasonId: 1,
					teamId: 7,
					opensAt: AT,
					prize: { amount: 1500, label: 'voucher' }
				}
			},
			ctx
		);
		expect(d.parts.map((p) => p.text).join('')).toBe('Survey publish: Phones 101');
		expect(d.details).toEqual([
			{ label: 'Season', value: 'Winter Sprint' },
			{ label: 'Team', value: 'Falcons' },
			{ label: 'Opens at', value: '1 Dec 2026, 15:00' },
			{ label: 'Prize', value: 'amount €15.00, label voucher' }
		]);
	});
});

describe('actionLabel', () => {
	it('has words and a test case for every action the server code records', () => {
		// The literal actions inside each audit(…) and auditInWrite(…) call of src/lib/server.
		const recorded = new Set<string>();
		const walk = (dir: string) => {
			for (const entry of readdirSync(dir, { withFileTypes: true })) {
				const path = join(dir, entry.name);
				if (entry.isDirectory()) walk(path);
				else if (path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.includes('/audit/')) {
					for (const call of readFileSync(path, 'utf8').matchAll(
						/\baudit(?:InWrite)?\(([^;]*?)\);/gs
					))
						for (const m of call[1].matchAll(/'([a-z_]+(?:\.[a-z_]+)+)'/g)) recorded.add(m[1]);
				}
			}
		};
		walk(join(import.meta.dirname, '..'));
		expect(recorded.size).toBeGreaterThan(30);
		for (const action of recorded) expect(ACTION_LABELS, action).toHaveProperty([action]);
		for (const action of Object.keys(ACTION_LABELS))
			expect(
				CASES.map((c) => c.action),
				`a case for ${action}`
			).toContain(action);
		expect(actionLabel('member.accept_invite')).toBe('Invitation accepted');
		expect(actionLabel('survey.publish')).toBe('Survey publish');
	});
});

describe('referencedIds', () => {
	it('collects the subject and the ids in the data, by kind', () => {
		const ids = referencedIds([
			{
				action: 'member.move',
				subject: 'user:5',
				data: { seasonId: 1, fromTeamId: 7, toTeamId: 8 }
			},
			{ action: 'season.create', subject: 'season:1', data: { from: 'clone:2' } }
		]);
		expect(ids.get('user')).toEqual(new Set([5]));
		expect(ids.get('team')).toEqual(new Set([7, 8]));
		expect(ids.get('season')).toEqual(new Set([1, 2]));
	});
});

describe('in the reader’s language', () => {
	const inLocale = <T>(locale: 'ru' | 'pl', fn: () => T): T => {
		const original = getLocale;
		overwriteGetLocale(() => locale);
		try {
			return fn();
		} finally {
			overwriteGetLocale(original);
		}
	};
	const summary = (event: Parameters<typeof describeEvent>[0]) =>
		describeEvent(event, ctx)
			.parts.map((p) => p.text)
			.join('');
	const imported = (rows: number) => ({
		action: 'sales.import',
		subject: 'import',
		data: { rows }
	});

	it('picks the Russian plural form of each count', () => {
		inLocale('ru', () => {
			expect(summary(imported(1))).toBe('Импортирована 1 строка продаж');
			expect(summary(imported(3))).toBe('Импортированы 3 строки продаж');
			expect(summary(imported(120))).toBe('Импортировано 120 строк продаж');
			expect(summary(imported(21))).toBe('Импортирована 21 строка продаж');
		});
	});

	it('keeps a person linked wherever the Polish sentence puts them', () => {
		const moved = inLocale('pl', () =>
			describeEvent(
				{
					action: 'member.move',
					subject: 'user:5',
					data: { seasonId: 1, fromTeamId: 7, toTeamId: 8 }
				},
				ctx
			)
		);
		expect(moved.parts.map((p) => p.text).join('')).toBe(
			'Przeniesiono: Anna Kowalska z Falcons do Eagles'
		);
		expect(moved.parts.find((p) => p.href)).toEqual({
			text: 'Anna Kowalska',
			href: '/manage/people/5'
		});
	});

	it('words the organisation settings and the action labels in Polish', () => {
		const d = inLocale('pl', () =>
			describeEvent(
				{
					action: 'organisation.update',
					subject: 'organisation',
					data: {
						before: { defaultLocale: 'en', currency: 'EUR' },
						after: { defaultLocale: 'pl', currency: 'PLN' }
					}
				},
				ctx
			)
		);
		expect(d.parts.map((p) => p.text).join('')).toBe('Zmieniono ustawienia organizacji');
		expect(d.details).toEqual([
			{ label: 'Język domyślny', value: 'English → Polski' },
			{ label: 'Waluta', value: 'EUR → PLN' }
		]);
		expect(inLocale('pl', () => actionLabel('organisation.update'))).toBe(
			'Zmieniono ustawienia organizacji'
		);
	});
});
