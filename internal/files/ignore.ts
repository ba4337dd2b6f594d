/**
 * Names that must never count as a file arrival: the partial, temporary and backup files that editors,
 * browsers, rsync/scp clients and "write then rename" writers leave beside the real file while it is being
 * written. The real file shows up under its final name once the writer renames it, and that is the arrival.
 */
import { posix } from "node:path";

/**
 * Suffixes (compared in lower case) of partial downloads, editor swap files and temporary copies:
 * `~` (emacs/vim backups), `.swp`/`.swx`/`.swo` (vim), `.part`/`.partial` (curl, wget, Firefox, rsync
 * `--partial-dir` style), `.crdownload` (Chrome), `.filepart` (WinSCP), `.download` (Safari).
 */
const tempSuffixes = [
  "~",
  ".tmp",
  ".temp",
  ".swp",
  ".swx",
  ".swo",
  ".part",
  ".partial",
  ".crdownload",
  ".filepart",
  ".download",
] as const;

/** Vim writes and removes a file with this exact name to test whether it may create files in a folder. */
const vimProbe = "4913";

function baseName(path: string): string {
  return posix.basename(path);
}

/** Any of the suffixes at the end of a name, in any case: one test for every watcher event, not one per suffix. */
const endsInTempSuffix = new RegExp(`(${tempSuffixes.map((s) => s.replaceAll(".", "\\.")).join("|")})$`, "i");

/** A hidden name, or one ending in a temporary suffix: what both files and directories are skipped for. */
function isStagingName(name: string): boolean {
  if (name.startsWith(".")) return true; // hidden: `.x.csv.tmp`, vim's `.x.swp`, emacs' lock `.#x`, rsync's `.x.AbC123`
  return endsInTempSuffix.test(name);
}

/**
 * True for a file name that is a partial or temporary file (only the base name of `path` is looked at):
 * hidden names, the temporary suffixes above (any case), emacs' autosave `#name#` and vim's `4913` probe.
 */
export function isTempName(path: string): boolean {
  const name = baseName(path);
  if (name === "") return false;
  const emacsAutosave = name.length > 1 && name.startsWith("#") && name.endsWith("#");
  return isStagingName(name) || name === vimProbe || emacsAutosave;
}

/**
 * True for a directory that is not looked into: hidden directories (`.git`, a writer's `.staging`) and ones
 * with a temporary suffix (`upload.partial`). Files in them arrive when they are moved out. Unlike
 * `isTempName`, `4913` and `#x#` are not skipped: they are file-only conventions, and a folder named `4913`
 * is as likely to be a customer id.
 */
export function isSkippedDir(path: string): boolean {
  const name = baseName(path);
  return name !== "" && isStagingName(name);
}
