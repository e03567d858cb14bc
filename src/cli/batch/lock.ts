import { TpoFileError } from "../../errors.js";
import { lockFile } from "../../util/file-lock.js";
import { CliUsageError } from "../errors.js";

/** Takes the lock of `--out` (util/file-lock.ts); a live holder's is a usage error naming the flag and the holder. */
export function lockResults(out: string, command = "tpo batch"): () => void {
  try {
    return lockFile(out, command);
  } catch (error) {
    if (error instanceof TpoFileError) throw new CliUsageError(`--out ${error.message}`);
    throw error;
  }
}
