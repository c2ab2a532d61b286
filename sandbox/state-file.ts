import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A JSON file holding some of the simulator's state across restarts. It
 * knows nothing of what it holds: the owner of the state checks what it reads.
 */

/** The parsed content, or undefined when there is no file yet; unparsable JSON throws, naming the file. */
export function readStateFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the sandbox state file ${file} is not JSON; delete it to start afresh`);
  }
}

/**
 * Writes to a temporary file beside the target, then renames it over the
 * target: a crash mid-write leaves the previous state, never half of one.
 */
export function writeStateFile(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(value));
  renameSync(temporary, file);
}
