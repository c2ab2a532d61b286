import { readStateFile, writeStateFile } from './state-file';

/**
 * The one state file the simulator's stores share (SANDBOX_STATE_PATH;
 * run/sandbox-state.json under `npm run dev`): read once at start, rewritten
 * whole whenever any store changes. Each store owns some top-level fields of
 * the document (trades: version, trades, prepayIds, transactionIds;
 * refunds: refunds; the bill book: bills) and checks what it reads back. Without a path nothing is
 * read or written.
 */
export class SandboxStateFile {
  /** the document as it was saved; undefined when there is none */
  readonly saved?: Record<string, unknown>;
  private readonly parts: Array<() => Record<string, unknown>> = [];

  constructor(readonly path?: string) {
    const value = path ? readStateFile(path) : undefined;
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new Error(`the sandbox state file ${path} holds no sandbox state; delete it to start afresh`);
    }
    this.saved = value as Record<string, unknown> | undefined;
  }

  /** Adds a store's fields to every save. */
  include(part: () => Record<string, unknown>): void {
    this.parts.push(part);
  }

  save(): void {
    if (!this.path) return;
    writeStateFile(this.path, Object.assign({}, ...this.parts.map(part => part())));
  }
}
