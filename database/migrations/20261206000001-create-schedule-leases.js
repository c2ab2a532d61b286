'use strict';

/**
 * Leases of jobs that must run in one place at a time across every instance
 * (the payment_events retention): one row per job, taken by a compare-and-set
 * on `lease_until`, so it works the same on MySQL, MariaDB, TiDB and SQLite
 * without advisory locks (GET_LOCK is a no-op on TiDB before 5.x and absent
 * from SQLite).
 * @type {import('sequelize-cli').Migration}
 */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('schedule_leases', {
      name: { type: Sequelize.STRING(64), primaryKey: true },
      // the holder's random token: only the holder may release or renew the lease
      holder: { type: Sequelize.STRING(36), allowNull: true },
      // the lease is free once this has passed (a holder that died frees it by itself)
      lease_until: { type: Sequelize.DATE, allowNull: false },
      updated_at: { type: Sequelize.DATE, allowNull: false },
    });
  },

  async down(queryInterface) {
    await queryInterface.dropTable('schedule_leases');
  },
};
