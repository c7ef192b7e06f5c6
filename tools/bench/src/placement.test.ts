import { describe, expect, it } from 'vitest';
import { gatewayOfUser } from './placement.js';

const place = (pairs: number, gateways: number) =>
  Array.from({ length: pairs }, (_, pair) => [
    gatewayOfUser(pair * 2, gateways),
    gatewayOfUser(pair * 2 + 1, gateways),
  ]);

describe('gatewayOfUser', () => {
  it('puts everyone on the only gateway', () => {
    expect(place(4, 1).flat()).toEqual(Array(8).fill(0));
  });

  it.each([2, 4])('spreads users evenly over %i gateways, half the pairs across two', (gateways) => {
    const pairs = gateways * 2 * 5;
    const placed = place(pairs, gateways);
    const users = placed.flat();
    for (let gateway = 0; gateway < gateways; gateway++) {
      expect(users.filter((g) => g === gateway)).toHaveLength((pairs * 2) / gateways);
    }
    expect(placed.filter(([a, b]) => a !== b)).toHaveLength(pairs / 2);
  });
});
