/**
 * Measures servers in turns rather than one after the other: `rounds` slices each, the order
 * reversed every round, so a change in the machine's load (other work on a shared box) hits the
 * server and its baseline alike and the ratio between them stays meaningful.
 */
export async function interleave<S, R>(servers: readonly S[], rounds: number, measure: (server: S) => Promise<R>): Promise<R[][]> {
  const samples = servers.map((): R[] => []);
  for (let round = 0; round < rounds; round++) {
    const order = servers.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) samples[i]?.push(await measure(servers[i] as S));
  }
  return samples;
}
