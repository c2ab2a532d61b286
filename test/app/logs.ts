import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MockApplication } from 'egg-mock';

interface Transport {
  flush?: () => void;
  _stream?: NodeJS.WritableStream | null;
}

/**
 * Makes egg-logger write out what it holds. FileBufferTransport keeps lines in
 * memory and writes them every second; flush() hands them to the file stream,
 * and an empty write's callback then runs once every earlier write is on disk
 * (fs.WriteStream writes in order). egg-logger offers no public "flushed" signal.
 */
export async function flushLogs(app: MockApplication): Promise<void> {
  const managers = [ app.loggers, (app as unknown as { agent?: { loggers?: typeof app.loggers } }).agent?.loggers ];
  const writes: Array<Promise<void>> = [];
  for (const loggers of managers) {
    if (!loggers) continue;
    for (const logger of loggers.values() as Iterable<Map<string, Transport>>) {
      for (const transport of logger.values()) {
        transport.flush?.();
        const stream = transport._stream;
        if (stream && stream.writable) writes.push(new Promise(resolve => stream.write('', () => resolve())));
      }
    }
  }
  await Promise.all(writes);
}

/** Every file under a directory, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [ full ] : [];
  });
}

/** The lines of every log file the app wrote that contain `text`, after a flush. */
export async function logLinesWith(app: MockApplication, text: string): Promise<string[]> {
  await flushLogs(app);
  return filesUnder(app.config.logger.dir)
    .flatMap(file => readFileSync(file, 'utf8').split('\n'))
    .filter(line => line.includes(text));
}
