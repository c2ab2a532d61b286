import { Application } from 'egg';
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model } from 'sequelize';
import { DiscrepancyKind } from '../lib/bill-reconciliation';

/** One difference between a day's bill and our books, with both amounts (fen; null where a side has none). */
export class BillDiscrepancy extends Model<InferAttributes<BillDiscrepancy>, InferCreationAttributes<BillDiscrepancy>> {
  declare id: CreationOptional<number>;
  declare billDate: string;
  declare kind: DiscrepancyKind;
  declare orderNo: string | null;
  declare refundNo: string | null;
  declare transactionId: string | null;
  declare billAmount: number | null;
  declare localAmount: number | null;
  declare resolved: boolean;
  declare detail: string | null;
  declare createdAt: CreationOptional<Date>;
}

export default (app: Application) => {
  BillDiscrepancy.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    billDate: { type: DataTypes.STRING(10), allowNull: false },
    kind: { type: DataTypes.STRING(32), allowNull: false },
    orderNo: { type: DataTypes.STRING(64), allowNull: true },
    refundNo: { type: DataTypes.STRING(64), allowNull: true },
    transactionId: { type: DataTypes.STRING(64), allowNull: true },
    billAmount: { type: DataTypes.BIGINT, allowNull: true },
    localAmount: { type: DataTypes.BIGINT, allowNull: true },
    resolved: { type: DataTypes.BOOLEAN, allowNull: false },
    detail: { type: DataTypes.STRING(255), allowNull: true },
    createdAt: DataTypes.DATE,
  }, {
    sequelize: app.model, tableName: 'bill_discrepancies', modelName: 'BillDiscrepancy', underscored: true, updatedAt: false,
  });
  return BillDiscrepancy;
};
