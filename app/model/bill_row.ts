import { Application } from 'egg';
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model } from 'sequelize';
import { BillRowKind } from '../lib/bill-reconciliation';

/**
 * Staging: the keys and amount of one bill row while its day is compared
 * with our books in SQL. Written in multi-row batches by BillStoreService,
 * emptied when the run ends.
 */
export class BillRow extends Model<InferAttributes<BillRow>, InferCreationAttributes<BillRow>> {
  declare id: CreationOptional<number>;
  declare billDate: string;
  declare kind: BillRowKind;
  declare orderNo: string;
  declare transactionId: string;
  declare refundNo: string | null;
  declare refundId: string | null;
  /** fen: 订单金额 of a payment, 申请退款金额 of a refund */
  declare amount: number;
  /** 交易时间: the success time of a payment, the acceptance time of a refund */
  declare tradedAt: Date;
}

export default (app: Application) => {
  BillRow.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    billDate: { type: DataTypes.STRING(10), allowNull: false },
    kind: { type: DataTypes.STRING(8), allowNull: false },
    orderNo: { type: DataTypes.STRING(64), allowNull: false },
    transactionId: { type: DataTypes.STRING(64), allowNull: false },
    refundNo: { type: DataTypes.STRING(64).BINARY, allowNull: true },
    refundId: { type: DataTypes.STRING(64), allowNull: true },
    amount: { type: DataTypes.BIGINT, allowNull: false },
    tradedAt: { type: DataTypes.DATE, allowNull: false },
  }, { sequelize: app.model, tableName: 'bill_rows', modelName: 'BillRow', underscored: true, timestamps: false });
  return BillRow;
};
