'use strict';

/**
 * Merchant employees who use the staff API, and the failed logins that lock
 * a username out. The failures live in the database, not in a process:
 * several stateless instances sit behind the load balancer and must count
 * the same attempts.
 * @type {import('sequelize-cli').Migration}
 */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('staff', {
      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
      // normalized (trimmed, lower case): database/staff-account.js
      username: { type: Sequelize.STRING(64), allowNull: false, unique: true },
      // scrypt$N$r$p$salt$hash (database/password-hash.js)
      password_hash: { type: Sequelize.STRING(255), allowNull: false },
      // operator | viewer
      role: { type: Sequelize.STRING(16), allowNull: false },
      disabled: { type: Sequelize.BOOLEAN, allowNull: false, defaultValue: false },
      created_at: { type: Sequelize.DATE, allowNull: false },
      updated_at: { type: Sequelize.DATE, allowNull: false },
    });

    await queryInterface.createTable('staff_login_failures', {
      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
      // as tried, normalized: unknown usernames are counted too, so no foreign key
      username: { type: Sequelize.STRING(64), allowNull: false },
      failed_at: { type: Sequelize.DATE, allowNull: false },
    });
    // the lock-out's count: one username's failures within the window
    await queryInterface.addIndex('staff_login_failures', [ 'username', 'failed_at' ], {
      name: 'staff_login_failures_username_failed_at',
    });
    // the purge of failures that left the window, whatever their username
    await queryInterface.addIndex('staff_login_failures', [ 'failed_at' ], {
      name: 'staff_login_failures_failed_at',
    });
  },

  async down(queryInterface) {
    await queryInterface.dropTable('staff_login_failures');
    await queryInterface.dropTable('staff');
  },
};
