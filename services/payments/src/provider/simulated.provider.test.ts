import { ProviderUnavailableError } from '../domain/payment-provider';
import { SimulatedPaymentProvider } from './simulated.provider';

const amount = { currency: 'EUR', minor: 100n };

test('test tokens: visa approves, decline declines, flaky fails twice then approves', async () => {
  const p = new SimulatedPaymentProvider();
  const auth = (token: string, attempt: number) =>
    p.authorize({ paymentId: 'p', amount, token, attempt, keyGeneration: 0 });
  expect(await auth('tok_visa', 1)).toEqual({
    kind: 'approved',
    reference: expect.stringMatching(/^sim_auth_/),
  });
  expect(await auth('tok_decline', 1)).toEqual({ kind: 'declined' });
  await expect(auth('tok_flaky', 1)).rejects.toBeInstanceOf(ProviderUnavailableError);
  await expect(auth('tok_flaky', 2)).rejects.toBeInstanceOf(ProviderUnavailableError);
  expect(await auth('tok_flaky', 3)).toMatchObject({ kind: 'approved' });
  expect(p.count('authorize')).toBe(5);
  expect(p.count('authorize', 'other')).toBe(0);
});

test('only its own tokens are accepted', () => {
  const p = new SimulatedPaymentProvider();
  expect(['tok_visa', 'tok_decline', 'tok_flaky'].every((t) => p.acceptsToken(t))).toBe(true);
  expect(p.acceptsToken('tok_amex')).toBe(false);
});
