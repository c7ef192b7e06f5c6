/**
 * Which of `gateways` holds user `index` of the sweep's users (users 2k and 2k+1 are pair k). Every gateway holds
 * the same number of users when the pairs are a multiple of twice the gateways, and half the pairs straddle two
 * gateways: pair k's first user is on gateway k mod n, its second on the same one or the next, turn about.
 */
export function gatewayOfUser(index: number, gateways: number): number {
  const pair = Math.floor(index / 2);
  const first = pair % gateways;
  if (index % 2 === 0) return first;
  return (first + (Math.floor(pair / gateways) % 2)) % gateways;
}
