import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (m=19 MiB, t=2, p=1), as the Lucia guide recommends.
const OPTIONS = { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
	return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

// A hash of a random password, verified when the email is unknown so that the response time
// does not tell whether an account exists.
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
	decoy ??= hash(crypto.randomUUID(), OPTIONS);
	return decoy;
}
