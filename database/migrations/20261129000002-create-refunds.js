'use strict';

/**
 * Refunds, and what an order needs to refund safely: the amount reserved by
 * refunds that are not over (`refund_reserved`, taken by a compare-and-set
 * before WeChat is called, so concurrent refunds never exceed what was paid)
 * and the amount refunded successfully (`refunded_amount`).
 * @type {import('sequelize-cli').Migration}
 */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addColumn('orders', 'refund_reserved', { type: Sequelize.INTEGER, allowNull: false, defaultValue: 0 });
    await queryInterface.addColumn('orders', 'refunded_amount', { type: Sequelize.INTEGER, allowNull: false, defaultValue: 0 });

    await queryInterface.createTable('refunds', {
      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
      // our out_refund_no at WeChat Pay: at most 64 characters, unique, reused on every retry.
      // BINARY here and on idempotency_key: MySQL's default collation would make `a1` and `A1` one key.
      refund_no: { type: Sequelize.STRING(64).BINARY, allowNull: false, unique: true },
      order_no: { type: Sequelize.STRING(32), allowNull: false },
      // the payment refunded: the order's own, or another transaction of it (automatic refunds)
      transaction_id: { type: Sequelize.STRING(32), allowNull: false },
      // whether it refunds the order's own transaction (counts in refunded_amount / refund_reserved)
      own_transaction: { type: Sequelize.BOOLEAN, allowNull: false },
      // fen: this refund, and the total of the transaction it refunds (WeChat wants both)
      amount: { type: Sequelize.INTEGER, allowNull: false },
      transaction_total: { type: Sequelize.INTEGER, allowNull: false },
      status: { type: Sequelize.STRING(16), allowNull: false },
      reason: { type: Sequelize.STRING(80), allowNull: true },
      // staff username, `system` or `merchant-platform`
      created_by: { type: Sequelize.STRING(64), allowNull: false },
      idempotency_key: { type: Sequelize.STRING(64).BINARY, allowNull: true },
      wechat_refund_id: { type: Sequelize.STRING(64), allowNull: true },
      // WeChat's refusal code of a FAILED refund, or its last retryable code
      wechat_code: { type: Sequelize.STRING(64), allowNull: true },
      // when WeChat accepted the apply; null while its answer is unknown (to be re-submitted)
      accepted_at: { type: Sequelize.DATE, allowNull: true },
      succeeded_at: { type: Sequelize.DATE, allowNull: true },
      // lease and back-off of the schedule (re-submit or query)
      claimed_until: { type: Sequelize.DATE, allowNull: true },
      created_at: { type: Sequelize.DATE, allowNull: false },
      updated_at: { type: Sequelize.DATE, allowNull: false },
    });
    await queryInterface.addIndex('refunds', [ 'order_no', 'id' ], { name: 'refunds_order_no_id' });
    // an Idempotency-Key names one refund of one order
    await queryInterface.addIndex('refunds', [ 'order_no', 'idempotency_key' ], { name: 'refunds_order_no_idempotency_key', unique: true });
    // the schedule scans refunds that are not over
    await queryInterface.addIndex('refunds', [ 'status', 'claimed_until' ], { name: 'refunds_status_claimed_until' });
  },

  async down(queryInterface) {
    await queryInterface.dropTable('refunds');
    await queryInterface.removeColumn('orders', 'refunded_amount');
    await queryInterface.removeColumn('orders', 'refund_reserved');
  },
};
