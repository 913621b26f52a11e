/** `1 participant`, `2 participants`: a count with its noun in agreement (plural: noun + "s" unless given). */
export function formatCount(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
