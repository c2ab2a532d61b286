'use strict';

/**
 * Daily bill reconciliation: one row per Beijing date (claimed by a
 * conditional update, so several instances never reconcile a day at once),
 * its discrepancies, and a staging table holding the keys of the day's bill
 * rows while a run compares them with the local books in SQL (bounded memory
 * at a million rows).
 * @type {import('sequelize-cli').Migration}
 */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('bill_reconciliations', {
      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
      // the Beijing date reconciled, YYYY-MM-DD
      bill_date: { type: Sequelize.STRING(10), allowNull: false, unique: true },
      status: { type: Sequelize.STRING(16), allowNull: false },
      // staff username or `schedule`
      run_by: { type: Sequelize.STRING(64), allowNull: true },
      started_at: { type: Sequelize.DATE, allowNull: true },
      finished_at: { type: Sequelize.DATE, allowNull: true },
      // lease of the run in progress; a run whose lease passed is considered dead
      claimed_until: { type: Sequelize.DATE, allowNull: true },
      // the claim's own id: a run writes its outcome only while it still holds the day
      claim_token: { type: Sequelize.STRING(36), allowNull: true },
      // WAITING (bill still being created): when to ask again
      retry_at: { type: Sequelize.DATE, allowNull: true },
      failure: { type: Sequelize.STRING(255), allowNull: true },
      // the bill's summary: fen as integers, the fee an exact decimal of yuan (5 places)
      bill_count: { type: Sequelize.INTEGER, allowNull: true },
      bill_settled_total: { type: Sequelize.BIGINT, allowNull: true },
      bill_refund_total: { type: Sequelize.BIGINT, allowNull: true },
      bill_fee_total: { type: Sequelize.STRING(24), allowNull: true },
      local_count: { type: Sequelize.INTEGER, allowNull: true },
      local_settled_total: { type: Sequelize.BIGINT, allowNull: true },
      local_refund_total: { type: Sequelize.BIGINT, allowNull: true },
      created_at: { type: Sequelize.DATE, allowNull: false },
      updated_at: { type: Sequelize.DATE, allowNull: false },
    });

    await queryInterface.createTable('bill_discrepancies', {
      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
      bill_date: { type: Sequelize.STRING(10), allowNull: false },
      kind: { type: Sequelize.STRING(32), allowNull: false },
      order_no: { type: Sequelize.STRING(64), allowNull: true },
      refund_no: { type: Sequelize.STRING(64), allowNull: true },
      transaction_id: { type: Sequelize.STRING(64), allowNull: true },
      bill_amount: { type: Sequelize.BIGINT, allowNull: true },
      local_amount: { type: Sequelize.BIGINT, allowNull: true },
      resolved: { type: Sequelize.BOOLEAN, allowNull: false },
      detail: { type: Sequelize.STRING(255), allowNull: true },
      created_at: { type: Sequelize.DATE, allowNull: false },
    });
    await queryInterface.addIndex('bill_discrepancies', [ 'bill_date', 'id' ], { name: 'bill_discrepancies_bill_date_id' });

    await queryInterface.createTable('bill_rows', {
      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
      bill_date: { type: Sequelize.STRING(10), allowNull: false },
      // PAYMENT (交易状态 SUCCESS) or REFUND
      kind: { type: Sequelize.STRING(8), allowNull: false },
      order_no: { type: Sequelize.STRING(64), allowNull: false },
      transaction_id: { type: Sequelize.STRING(64), allowNull: false },
      // BINARY like refunds.refund_no, which it is joined with (MySQL's default collation ignores case)
      refund_no: { type: Sequelize.STRING(64).BINARY, allowNull: true },
      // WeChat's refund_id, kept for a refund imported from the bill
      refund_id: { type: Sequelize.STRING(64), allowNull: true },
      // fen: 订单金额 of a payment, 申请退款金额 of a refund
      amount: { type: Sequelize.BIGINT, allowNull: false },
      // 交易时间: the success time of a payment, the acceptance time of a refund
      traded_at: { type: Sequelize.DATE, allowNull: false },
    });
    await queryInterface.addIndex('bill_rows', [ 'bill_date', 'kind', 'order_no' ], { name: 'bill_rows_date_kind_order_no' });
    await queryInterface.addIndex('bill_rows', [ 'bill_date', 'kind', 'refund_no' ], { name: 'bill_rows_date_kind_refund_no' });

    // a day's local payments and refunds, for the comparison the other way round
    await queryInterface.addIndex('orders', [ 'paid_at' ], { name: 'orders_paid_at' });
    await queryInterface.addIndex('refunds', [ 'accepted_at' ], { name: 'refunds_accepted_at' });
  },

  async down(queryInterface) {
    await queryInterface.removeIndex('refunds', 'refunds_accepted_at');
    await queryInterface.removeIndex('orders', 'orders_paid_at');
    await queryInterface.dropTable('bill_rows');
    await queryInterface.dropTable('bill_discrepancies');
    await queryInterface.dropTable('bill_reconciliations');
  },
};
