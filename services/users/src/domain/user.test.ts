import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { DomainError } from '@meshcart/kit';
import { normalizeEmail, validateCredentials, validateRegistration, validateUserId } from './user';

const fields = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(status.INVALID_ARGUMENT);
    return (e as DomainError).violations.map((v) => v.field).sort();
  }
  return [];
};

describe('validateRegistration', () => {
  const ok = { email: 'Ada@Example.org', password: 'long enough', displayName: ' Ada ' };

  test('normalizes email (trim + lower case) and display name (trim); keeps the password as is', () => {
    expect(validateRegistration({ ...ok, password: ' spaced pw ' })).toEqual({
      email: 'ada@example.org',
      password: ' spaced pw ',
      displayName: 'Ada',
    });
  });

  test.each([
    ['a@b.co', []],
    ['first.last+tag@sub.example.co.uk', []],
    ['xn--bcher-kva@xn--bcher-kva.ch', []],
    ['', ['email']],
    ['plain', ['email']],
    ['a@b', ['email']],
    ['a b@c.de', ['email']],
    ['josé@example.com', ['email']],
    ['"quoted"@example.com', ['email']],
    ['a@@c.de', ['email']],
    ['a@-c.de', ['email']],
    [`${'l'.repeat(65)}@c.de`, ['email']],
    [`a@${'d'.repeat(250)}.de`, ['email']],
  ])('email %j -> %j', (email, expected) => {
    expect(fields(() => validateRegistration({ ...ok, email }))).toEqual(expected);
  });

  test('password is 8-128 characters, counted as code points', () => {
    expect(fields(() => validateRegistration({ ...ok, password: '1234567' }))).toEqual([
      'password',
    ]);
    expect(fields(() => validateRegistration({ ...ok, password: '12345678' }))).toEqual([]);
    expect(fields(() => validateRegistration({ ...ok, password: '😀'.repeat(128) }))).toEqual([]);
    expect(fields(() => validateRegistration({ ...ok, password: '😀'.repeat(129) }))).toEqual([
      'password',
    ]);
  });

  test('display name is 1-80 characters without control characters', () => {
    expect(fields(() => validateRegistration({ ...ok, displayName: 'é'.repeat(80) }))).toEqual([]);
    expect(fields(() => validateRegistration({ ...ok, displayName: 'é'.repeat(81) }))).toEqual([
      'displayName',
    ]);
    expect(fields(() => validateRegistration({ ...ok, displayName: '\t' }))).toEqual([
      'displayName',
    ]);
    expect(fields(() => validateRegistration({ ...ok, displayName: 'a\nb' }))).toEqual([
      'displayName',
    ]);
  });

  test('reports every bad field at once', () => {
    expect(
      fields(() => validateRegistration({ email: 'x', password: 'y', displayName: '' })),
    ).toEqual(['displayName', 'email', 'password']);
  });
});

test('normalizeEmail is idempotent', () => {
  fc.assert(
    fc.property(fc.string(), (s) => normalizeEmail(normalizeEmail(s)) === normalizeEmail(s)),
  );
});

test('validateCredentials checks presence and size only', () => {
  expect(validateCredentials({ email: ' A@B.C ', password: 'x' })).toEqual({
    email: 'a@b.c',
    password: 'x',
  });
  expect(fields(() => validateCredentials({ email: '', password: '' }))).toEqual([
    'email',
    'password',
  ]);
  expect(fields(() => validateCredentials({ email: 'a@b.co', password: 'p'.repeat(129) }))).toEqual(
    ['password'],
  );
});

test('validateUserId requires 1-64 characters', () => {
  expect(validateUserId('u1')).toBe('u1');
  expect(fields(() => validateUserId(''))).toEqual(['userId']);
  expect(fields(() => validateUserId('u'.repeat(65)))).toEqual(['userId']);
});
