// Signed user tokens: a JWS (HS256) that lets one end user act once on one ticket for one purpose
// (and, for confirm/reject, on one confirmation wait). Pure: the API issues and checks them, and an
// activity may mint them to put links into notices. Single use is enforced by whoever consumes them.
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

export const USER_TOKEN_ISSUER = 'ticketflow';
export const USER_TOKEN_AUDIENCE = 'ticketflow:user';
export const USER_TOKEN_PURPOSES = ['confirm', 'reject', 'rate', 'reopen'] as const;
export type UserTokenPurpose = (typeof USER_TOKEN_PURPOSES)[number];

export interface UserTokenClaims {
  userId: string;
  ticketId: string;
  purpose: UserTokenPurpose;
  /** seq of the `entered` event of the confirmation wait this token answers (confirm/reject) */
  waitSeq?: number;
  tokenId: string;
  expiresAt: Date;
}

export class UserTokenError extends Error {
  constructor(readonly reason: 'malformed' | 'bad_signature' | 'expired' | 'invalid_claims', message: string) {
    super(message);
  }
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** With a fixed tokenId and issuedAt the token is the same string every time (a retried notice sends the same link). */
export async function mintUserToken(secret: string, claims: Omit<UserTokenClaims, 'tokenId'> & { tokenId?: string; issuedAt?: Date }): Promise<{ token: string; tokenId: string }> {
  const tokenId = claims.tokenId ?? randomUUID();
  const token = await new SignJWT({ tid: claims.ticketId, pur: claims.purpose, ...(claims.waitSeq !== undefined ? { wait: claims.waitSeq } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(USER_TOKEN_ISSUER)
    .setAudience(USER_TOKEN_AUDIENCE)
    .setSubject(claims.userId)
    .setJti(tokenId)
    .setIssuedAt(claims.issuedAt ? Math.floor(claims.issuedAt.getTime() / 1000) : undefined)
    .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
    .sign(key(secret));
  return { token, tokenId };
}

/** Verifies signature, issuer, audience and expiry; throws UserTokenError with the reason. */
export async function verifyUserToken(secret: string, token: string): Promise<UserTokenClaims> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'], issuer: USER_TOKEN_ISSUER, audience: USER_TOKEN_AUDIENCE, requiredClaims: ['sub', 'jti', 'exp'] }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new UserTokenError('expired', 'the user token has expired');
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new UserTokenError('bad_signature', 'the user token signature is not valid');
    if (err instanceof errors.JWTClaimValidationFailed) throw new UserTokenError('invalid_claims', `the user token is not valid here: ${err.message}`);
    throw new UserTokenError('malformed', 'the user token is malformed');
  }
  const { sub, jti, exp, tid, pur, wait } = payload as Record<string, unknown>;
  if (typeof tid !== 'string' || typeof sub !== 'string' || typeof jti !== 'string' || !USER_TOKEN_PURPOSES.includes(pur as UserTokenPurpose) || (wait !== undefined && !Number.isInteger(wait))) {
    throw new UserTokenError('invalid_claims', 'the user token lacks its ticket, user or purpose');
  }
  return { userId: sub, ticketId: tid, purpose: pur as UserTokenPurpose, ...(wait !== undefined ? { waitSeq: wait as number } : {}), tokenId: jti, expiresAt: new Date((exp as number) * 1000) };
}

/** Compact JWS shape: tells a user token apart from opaque bearer secrets. */
export const looksLikeJws = (token: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
