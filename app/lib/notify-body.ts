/** A notify body as the controller read it, or why it could not. */
export type NotifyBody = { raw: string } | { problem: BodyProblem };

export type BodyProblem = 'TOO_LARGE' | 'EMPTY' | 'UNREADABLE';

/**
 * The answer to a notify. v2: HTTP 200 (413 for an oversized body) with XML
 * SUCCESS/FAIL; v3: 204 after commit, else the status with `{ code: 'FAIL', message }`.
 */
export interface NotifyAck {
  ok: boolean;
  status: number;
  message: string;
}

const BODY_PROBLEMS: Record<BodyProblem, string> = {
  TOO_LARGE: 'body over 1 MB',
  EMPTY: 'empty body',
  UNREADABLE: 'body could not be read',
};

/** The answer to a body that could not be read: 413 when oversized, else `unusable` (v2 200, v3 400). */
export function bodyProblemAck(problem: BodyProblem, unusable: 200 | 400): NotifyAck {
  return { ok: false, status: problem === 'TOO_LARGE' ? 413 : unusable, message: BODY_PROBLEMS[problem] };
}

/** Whether a Content-Length header announces more than `limit` bytes (absent or malformed: no). */
export function announcesMoreThan(contentLength: string, limit: number): boolean {
  return /^\d+$/.test(contentLength.trim()) && Number(contentLength.trim()) > limit;
}
