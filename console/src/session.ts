import { computed, reactive } from 'vue';
import type { LoginReply, StaffSession } from './types';

/**
 * Who is signed in: the staff token and account, kept in sessionStorage (one
 * tab's life; never localStorage, so closing the tab signs out), and the
 * message the sign-in screen shows next (a session that expired, a sign-out).
 */
const TOKEN_KEY = 'wxpay-console.token';
const STAFF_KEY = 'wxpay-console.staff';

export const SESSION_EXPIRED = 'Your session has expired. Please sign in again.';

function readStaff(): StaffSession | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(STAFF_KEY) ?? 'null');
    if (value && typeof value.username === 'string' && (value.role === 'operator' || value.role === 'viewer')) return value;
  } catch {
    // a damaged entry is no session
  }
  return null;
}

export const session = reactive({
  token: sessionStorage.getItem(TOKEN_KEY),
  staff: readStaff(),
  /** shown once by the sign-in screen */
  notice: '' as string,
});

export const signedIn = computed(() => Boolean(session.token && session.staff));
export const isOperator = computed(() => session.staff?.role === 'operator');

export function startSession(reply: LoginReply): void {
  session.token = reply.token;
  session.staff = { username: reply.staff.username, role: reply.staff.role };
  session.notice = '';
  sessionStorage.setItem(TOKEN_KEY, reply.token);
  sessionStorage.setItem(STAFF_KEY, JSON.stringify(session.staff));
}

/** Forgets the token; `notice` is what the sign-in screen will say. */
export function endSession(notice = ''): void {
  session.token = null;
  session.staff = null;
  session.notice = notice;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(STAFF_KEY);
}
