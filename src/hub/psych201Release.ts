/** The Psych-201 release on the Hugging Face hub; the held-out (`-test`) sets are gated. */
export const PSYCH201_REPO = 'marcelbinz/Psych-201';

/** Which of the four Psych-201 repositories: full or discrete-choice only, training or held-out test set. */
export function psych201Repo(o: { test?: boolean; discrete?: boolean } = {}): string {
  return `${PSYCH201_REPO}${o.discrete ? '-discrete' : ''}${o.test ? '-test' : ''}`;
}
