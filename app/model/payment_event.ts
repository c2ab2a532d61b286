import { Application } from 'egg';
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model } from 'sequelize';

/** Audit row for a notify received or an order query applied; never holds secrets. */
export class PaymentEvent extends Model<InferAttributes<PaymentEvent>, InferCreationAttributes<PaymentEvent>> {
  declare id: CreationOptional<number>;
  declare orderNo: string | null;
  declare source: 'notify' | 'query' | 'refund_notify' | 'refund_query';
  declare apiVersion: 'v2' | 'v3';
  declare verified: boolean;
  declare outcome: string;
  declare reason: string | null;
  declare transactionId: string | null;
  declare amount: number | null;
  declare rawBody: string | null;
  declare createdAt: CreationOptional<Date>;
}

export default (app: Application) => {
  PaymentEvent.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    orderNo: { type: DataTypes.STRING(64), allowNull: true },
    source: { type: DataTypes.STRING(16), allowNull: false },
    apiVersion: { type: DataTypes.STRING(4), allowNull: false },
    verified: { type: DataTypes.BOOLEAN, allowNull: false },
    outcome: { type: DataTypes.STRING(32), allowNull: false },
    reason: { type: DataTypes.STRING(255), allowNull: true },
    transactionId: { type: DataTypes.STRING(64), allowNull: true },
    amount: { type: DataTypes.INTEGER, allowNull: true },
    rawBody: { type: DataTypes.TEXT, allowNull: true },
    createdAt: DataTypes.DATE,
  }, {
    sequelize: app.model,
    tableName: 'payment_events',
    modelName: 'PaymentEvent',
    underscored: true,
    updatedAt: false,
  });
  return PaymentEvent;
};
