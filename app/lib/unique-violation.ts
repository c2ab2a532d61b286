// MySQL/MariaDB ER_DUP_ENTRY, as mysql2 reports it (errno) and as Sequelize wraps it (parent.errno).
const DUPLICATE_ENTRY_ERRNO = 1062;

/**
 * Whether a statement failed because it would have made a unique key hold a
 * value twice: MySQL/MariaDB's duplicate entry (bare mysql2 or wrapped by
 * Sequelize), or SQLite's UNIQUE constraint as Sequelize reports it.
 */
export function isUniqueViolation(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { name, errno, parent } = err as { name?: unknown; errno?: unknown; parent?: { errno?: unknown } };
  return name === 'SequelizeUniqueConstraintError' || errno === DUPLICATE_ENTRY_ERRNO || parent?.errno === DUPLICATE_ENTRY_ERRNO;
}
