/**
 * The tagged sections the critic's prompts are built from. In mode `tpo` the chosen response is
 * shown as `<chosen_response>` beside a `<rejected_response>`; in mode `revision` (and while there
 * is no rejected response) it is shown alone as `<response>`.
 */
export const QUERY_SECTION = "<query>\n{query}\n</query>";
export const CHOSEN_SECTION = "<chosen_response>\n{chosen}\n</chosen_response>";
export const REJECTED_SECTION = "<rejected_response>\n{rejected}\n</rejected_response>";
export const RESPONSE_SECTION = "<response>\n{chosen}\n</response>";
export const CRITIQUE_SECTION = "<critique>\n{critique}\n</critique>";
export const SUGGESTIONS_SECTION = "<suggestions>\n{gradient}\n</suggestions>";

export function sections(...parts: string[]): string {
  return parts.join("\n\n");
}
