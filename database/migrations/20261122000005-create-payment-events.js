'use strict';

/**
 * Audit trail: one row for every request that reaches a notify endpoint and
 * for every order query applied, verified or not. Never holds secrets.
 * @type {import('sequelize-cli').Migration}
 */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('payment_events', {
      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
      // as received: may name no order of ours, so no foreign key
      order_no: { type: Sequelize.STRING(64), allowNull: true },
      source: { type: Sequelize.STRING(16), allowNull: false },
      api_version: { type: Sequelize.STRING(4), allowNull: false },
      verified: { type: Sequelize.BOOLEAN, allowNull: false },
      outcome: { type: Sequelize.STRING(32), allowNull: false },
      reason: { type: Sequelize.STRING(255), allowNull: true },
      transaction_id: { type: Sequelize.STRING(64), allowNull: true },
      amount: { type: Sequelize.INTEGER, allowNull: true },
      raw_body: { type: Sequelize.TEXT, allowNull: true },
      created_at: { type: Sequelize.DATE, allowNull: false },
    });
    await queryInterface.addIndex('payment_events', [ 'order_no' ], { name: 'payment_events_order_no' });
  },

  async down(queryInterface) {
    await queryInterface.dropTable('payment_events');
  },
};
