import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import type { JwtVerification } from '../config.js';
import { verifyAccessToken } from './verify-token.js';

const key = 'unit-test-secret-of-at-least-32-characters';
const hs256: JwtVerification = { algorithms: ['HS256'], key };
const sign = (claims: object, options: jwt.SignOptions = {}) =>
  jwt.sign(claims, key, { algorithm: 'HS256', ...('exp' in claims ? {} : { expiresIn: 60 }), ...options });
/** A token with `alg: none` and no signature, as an attacker would write it. */
const unsigned = (claims: object) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
    JSON.stringify(claims),
  ).toString('base64url')}.`;
const now = () => Math.floor(Date.now() / 1000);

describe('verifyAccessToken', () => {
  it('returns the subject and the expiry in ms', () => {
    const exp = now() + 60;
    expect(verifyAccessToken(sign({ sub: 'alice', exp }), hs256)).toEqual({
      userId: 'alice',
      expiresAt: exp * 1000,
    });
  });

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  it.each([
    ['no token', undefined],
    ['alg none', unsigned({ sub: 'alice', exp: now() + 60 })],
    ['the wrong algorithm (HS512 with the right secret)', sign({ sub: 'alice' }, { algorithm: 'HS512' })],
    [
      'the wrong algorithm (RS256)',
      jwt.sign({ sub: 'alice' }, privateKey, { algorithm: 'RS256', expiresIn: 60 }),
    ],
    ['a wrong key', jwt.sign({ sub: 'alice' }, `${key}-other`, { algorithm: 'HS256', expiresIn: 60 })],
    ['no exp', jwt.sign({ sub: 'alice' }, key, { algorithm: 'HS256' })],
    ['an expired exp', sign({ sub: 'alice', exp: now() - 5 })],
    ['a future nbf', sign({ sub: 'alice', nbf: now() + 60 })],
    ['no sub', sign({})],
    ['an operator object as sub', sign({ sub: { $ne: null } })],
  ])('refuses %s with UNAUTHORIZED', (_name, token) => {
    expect(() => verifyAccessToken(token, hs256)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });

  it('checks issuer and audience when configured', () => {
    const pinned: JwtVerification = { ...hs256, issuer: 'https://id.example', audience: 'chat' };
    expect(
      verifyAccessToken(sign({ sub: 'alice', iss: 'https://id.example', aud: ['chat', 'x'] }), pinned).userId,
    ).toBe('alice');
    for (const claims of [
      { sub: 'alice', aud: 'chat' },
      { sub: 'alice', iss: 'https://evil.example', aud: 'chat' },
      { sub: 'alice', iss: 'https://id.example' },
      { sub: 'alice', iss: 'https://id.example', aud: 'other' },
    ]) {
      expect(() => verifyAccessToken(sign(claims), pinned)).toThrow(
        expect.objectContaining({ code: 'UNAUTHORIZED' }),
      );
    }
  });
});
