/**
 * The one definition of who a participant is. Ids are unique per experiment, not per study (real studies reuse
 * them across experiments), so a participant is (experiment, participant) inside a study, and (study, experiment,
 * participant) across a dataset or a run. The parts are joined by U+001F (unit separator), which no id contains.
 * The SQL twins build the same strings from the store's columns; keep the two in step.
 */
const SEP = '\u001f';

/** Key of a participant inside a study (split rule, manifests, persona pairing). */
export function participantKey(t: { experiment: string; participant: string }): string {
  return `${t.experiment}${SEP}${t.participant}`;
}

/** Key of a participant across studies (a run's finished set, resume). */
export function studyParticipantKey(t: { study: string; experiment: string; participant: string }): string {
  return `${t.study}${SEP}${participantKey(t)}`;
}

/** SQL twin of participantKey over columns `experiment`, `participant` (optionally of a table alias). */
export function participantKeySql(alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}experiment || chr(31) || ${a}participant`;
}

/** SQL twin of studyParticipantKey. */
export function studyParticipantKeySql(alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}study || chr(31) || ${participantKeySql(alias)}`;
}
