import { Application } from 'egg';
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model } from 'sequelize';
import { BillReconciliationStatus } from '../lib/bill-reconciliation';

/**
 * One Beijing day's bill reconciliation (one row per date). Money in fen;
 * the bill's fee total as the exact decimal text of yuan the bill writes.
 */
export class BillReconciliation extends Model<InferAttributes<BillReconciliation>, InferCreationAttributes<BillReconciliation>> {
  declare id: CreationOptional<number>;
  declare billDate: string;
  declare status: BillReconciliationStatus;
  declare runBy: CreationOptional<string | null>;
  declare startedAt: CreationOptional<Date | null>;
  declare finishedAt: CreationOptional<Date | null>;
  declare claimedUntil: CreationOptional<Date | null>;
  declare claimToken: CreationOptional<string | null>;
  declare retryAt: CreationOptional<Date | null>;
  declare failure: CreationOptional<string | null>;
  declare billCount: CreationOptional<number | null>;
  declare billSettledTotal: CreationOptional<number | null>;
  declare billRefundTotal: CreationOptional<number | null>;
  declare billFeeTotal: CreationOptional<string | null>;
  declare localCount: CreationOptional<number | null>;
  declare localSettledTotal: CreationOptional<number | null>;
  declare localRefundTotal: CreationOptional<number | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export default (app: Application) => {
  BillReconciliation.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    billDate: { type: DataTypes.STRING(10), allowNull: false, unique: true },
    status: { type: DataTypes.STRING(16), allowNull: false },
    runBy: { type: DataTypes.STRING(64), allowNull: true },
    startedAt: { type: DataTypes.DATE, allowNull: true },
    finishedAt: { type: DataTypes.DATE, allowNull: true },
    claimedUntil: { type: DataTypes.DATE, allowNull: true },
    claimToken: { type: DataTypes.STRING(36), allowNull: true },
    retryAt: { type: DataTypes.DATE, allowNull: true },
    failure: { type: DataTypes.STRING(255), allowNull: true },
    billCount: { type: DataTypes.INTEGER, allowNull: true },
    billSettledTotal: { type: DataTypes.BIGINT, allowNull: true },
    billRefundTotal: { type: DataTypes.BIGINT, allowNull: true },
    billFeeTotal: { type: DataTypes.STRING(24), allowNull: true },
    localCount: { type: DataTypes.INTEGER, allowNull: true },
    localSettledTotal: { type: DataTypes.BIGINT, allowNull: true },
    localRefundTotal: { type: DataTypes.BIGINT, allowNull: true },
    createdAt: DataTypes.DATE,
    updatedAt: DataTypes.DATE,
  }, { sequelize: app.model, tableName: 'bill_reconciliations', modelName: 'BillReconciliation', underscored: true });
  return BillReconciliation;
};
