/**
 * Spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, a
 * tab or a carriage return is run as a formula by Excel and LibreOffice when
 * a CSV is opened. Such text (from a bill, or a detail naming one) is
 * prefixed with an apostrophe so that it is shown, not evaluated (OWASP
 * "CSV Injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
