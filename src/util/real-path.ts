import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";

/**
 * The path with every symlink resolved: the file's real path, or for a file that does not exist
 * yet (or a symlink to one) where it would be created. Two paths of one file compare equal.
 */
export function realPath(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return realpathSync(current);
    } catch {
      // Not there (yet): a dangling symlink points on; a missing file is resolved through its folder.
    }
    let link: string | null = null;
    try {
      if (lstatSync(current).isSymbolicLink()) link = readlinkSync(current);
    } catch {
      link = null;
    }
    if (link === null) {
      const folder = dirname(current);
      return resolve(folder === current ? folder : realPath(folder), basename(current));
    }
    current = resolve(dirname(current), link);
  }
  return current;
}
