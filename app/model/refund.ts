import { Application } from 'egg';
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model } from 'sequelize';
import { RefundStatus } from '../lib/refund-status';

/** A refund; `refundNo` is its out_refund_no at WeChat Pay and amounts are in fen. */
export class Refund extends Model<InferAttributes<Refund>, InferCreationAttributes<Refund>> {
  declare id: CreationOptional<number>;
  declare refundNo: string;
  declare orderNo: string;
  declare transactionId: string;
  declare ownTransaction: boolean;
  declare amount: number;
  declare transactionTotal: number;
  declare status: RefundStatus;
  declare reason: string | null;
  declare createdBy: string;
  declare idempotencyKey: CreationOptional<string | null>;
  declare wechatRefundId: CreationOptional<string | null>;
  declare wechatCode: CreationOptional<string | null>;
  declare acceptedAt: CreationOptional<Date | null>;
  declare succeededAt: CreationOptional<Date | null>;
  declare claimedUntil: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export default (app: Application) => {
  Refund.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    refundNo: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    orderNo: { type: DataTypes.STRING(32), allowNull: false },
    transactionId: { type: DataTypes.STRING(32), allowNull: false },
    ownTransaction: { type: DataTypes.BOOLEAN, allowNull: false },
    amount: { type: DataTypes.INTEGER, allowNull: false },
    transactionTotal: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    reason: { type: DataTypes.STRING(80), allowNull: true },
    createdBy: { type: DataTypes.STRING(64), allowNull: false },
    idempotencyKey: { type: DataTypes.STRING(64), allowNull: true },
    wechatRefundId: { type: DataTypes.STRING(64), allowNull: true },
    wechatCode: { type: DataTypes.STRING(64), allowNull: true },
    acceptedAt: { type: DataTypes.DATE, allowNull: true },
    succeededAt: { type: DataTypes.DATE, allowNull: true },
    claimedUntil: { type: DataTypes.DATE, allowNull: true },
    createdAt: DataTypes.DATE,
    updatedAt: DataTypes.DATE,
  }, { sequelize: app.model, tableName: 'refunds', modelName: 'Refund', underscored: true });
  return Refund;
};
