/**
 * Backups in a local folder. A file is copied to a dot-named temp file in the same folder, flushed, then renamed,
 * so a name that is listed always holds a whole file, even after a crash or a full disk half way.
 */
import { constants } from "node:fs";
import { copyFile, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { defaultBaseName } from "./names.ts";
import type { BackupTarget, StoredObject } from "./types.ts";
import { siblingTemp } from "./verify.ts";

/** Opens (creating it when needed) the folder `dir` as a backup target. */
export async function localTarget(dir: string, baseName = defaultBaseName): Promise<BackupTarget> {
  await mkdir(dir, { recursive: true });
  const at = (name: string) => join(dir, checkName(name));
  return {
    describe: dir,
    baseName,
    async put(name, file) {
      const final = at(name);
      const temp = siblingTemp(dir, name);
      try {
        await copyFile(file, temp, constants.COPYFILE_FICLONE);
        await flushFile(temp);
        await rename(temp, final);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      await flushFolder(dir);
    },
    async get(name, dest) {
      await copyFile(at(name), dest, constants.COPYFILE_FICLONE);
    },
    async list() {
      const entries = await readdir(dir, { withFileTypes: true });
      const files = entries.filter((e) => e.isFile() && !e.name.startsWith("."));
      const listed = await Promise.all(files.map((e) => sizeOf(dir, e.name)));
      return listed.filter((o): o is StoredObject => o !== undefined);
    },
    async remove(name) {
      await rm(at(name), { force: true });
    },
  };
}

/** A name is one path part: a target never writes outside its folder. */
function checkName(name: string): string {
  if (name === "" || name === "." || name === ".." || /[/\\]/.test(name)) {
    throw new RangeError(`backup name ${JSON.stringify(name)} is not a plain file name`);
  }
  return name;
}

async function sizeOf(dir: string, name: string): Promise<StoredObject | undefined> {
  try {
    return { name, size: (await stat(join(dir, name))).size };
  } catch {
    // Removed between the listing and the stat (a prune elsewhere): not there any more.
    return undefined;
  }
}

/** fsync, so that after a power loss the renamed name never holds an empty or short file. */
async function flushFile(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a folder, so the rename itself survives a power loss. */
async function flushFolder(dir: string): Promise<void> {
  try {
    await flushFile(dir);
  } catch {
    // Some systems cannot open or fsync a folder; the file's data was flushed, which is what matters most.
  }
}
