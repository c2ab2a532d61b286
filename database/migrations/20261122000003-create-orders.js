'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('orders', {
      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
      // our out_trade_no at WeChat Pay: at most 32 characters, unique
      order_no: { type: Sequelize.STRING(32), allowNull: false, unique: true },
      user_id: {
        type: Sequelize.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
      },
      // total in fen
      amount: { type: Sequelize.INTEGER, allowNull: false },
      description: { type: Sequelize.STRING(128), allowNull: false },
      status: { type: Sequelize.STRING(16), allowNull: false },
      prepay_id: { type: Sequelize.STRING(64), allowNull: true },
      prepay_expires_at: { type: Sequelize.DATE, allowNull: true },
      // WeChat Pay's id of the payment; one payment credits one order
      transaction_id: { type: Sequelize.STRING(32), allowNull: true, unique: true },
      paid_at: { type: Sequelize.DATE, allowNull: true },
      closed_at: { type: Sequelize.DATE, allowNull: true },
      // end of the payment window: the schedule closes the order after it
      expires_at: { type: Sequelize.DATE, allowNull: false },
      // lease taken by a schedule run, so that several instances never handle one order at once
      claimed_until: { type: Sequelize.DATE, allowNull: true },
      created_at: { type: Sequelize.DATE, allowNull: false },
      updated_at: { type: Sequelize.DATE, allowNull: false },
    });
    // "my orders, newest first"
    await queryInterface.addIndex('orders', [ 'user_id', 'id' ], { name: 'orders_user_id_id' });
    // the reconciliation schedule scans pending orders by age
    await queryInterface.addIndex('orders', [ 'status', 'created_at' ], { name: 'orders_status_created_at' });
  },

  async down(queryInterface) {
    await queryInterface.dropTable('orders');
  },
};
