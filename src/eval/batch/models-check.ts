import type { TpoContext, TpoMode } from "../../settings/run-settings.js";
import type { BatchRecord } from "./record.js";
import { settingsDifferences } from "./settings-check.js";

/**
 * The models of a queue batch's --out. The workers bring their own models, so the batch learns
 * them from the records: the first in --out that names its models, else the first such record
 * of this run. A record made with other models would mix two experiments in one file: it is
 * refused (not written) unless --allow-mixed, as a plain `tpo batch --resume` refuses to continue
 * a file of other models.
 */
export class OutModels {
  private reference: BatchRecord | undefined;

  constructor(
    existing: Iterable<BatchRecord>,
    private readonly contexts: Map<TpoMode, TpoContext>,
  ) {
    this.reference = [...existing].find((record) => record.models !== undefined);
  }

  /** What differs between this record's models and --out's (nothing: write it), e.g. `tpo: models.model: a in the records, b now`. */
  differences(record: BatchRecord): string[] {
    if (!record.models) return [];
    if (!this.reference) {
      this.reference = record;
      return [];
    }
    return settingsDifferences([this.reference], this.contexts, record.models).filter((line) =>
      line.includes(": models."),
    );
  }
}
