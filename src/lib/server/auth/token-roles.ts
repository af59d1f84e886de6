// What an API token may do. Kept apart from people's roles: a token is a machine, and the
// least-privilege `integration` role is what a CRM or till needs (and the default).

export const TOKEN_ROLES = ['integration', 'manager', 'admin'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export const TOKEN_ROLE_HELP: Record<TokenRole, string> = {
	integration: 'post sales, activities and imports; read seasons',
	manager: 'also create seasons, duels, sprints and knockouts, and confirm or reverse sales',
	admin: 'everything the API offers'
};
