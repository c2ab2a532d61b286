import { Application } from 'egg';
import {
  CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, NonAttribute,
} from 'sequelize';
import { OrderStatus } from '../lib/order-status';
import type { OrderItem } from './order_item';

/** An order; `orderNo` is its out_trade_no at WeChat Pay and `amount` is in fen. */
export class Order extends Model<InferAttributes<Order>, InferCreationAttributes<Order>> {
  declare id: CreationOptional<number>;
  declare orderNo: string;
  declare userId: number;
  declare amount: number;
  declare description: string;
  declare status: OrderStatus;
  declare prepayId: CreationOptional<string | null>;
  declare prepayExpiresAt: CreationOptional<Date | null>;
  declare transactionId: CreationOptional<string | null>;
  declare paidAt: CreationOptional<Date | null>;
  declare closedAt: CreationOptional<Date | null>;
  declare expiresAt: Date;
  declare claimedUntil: CreationOptional<Date | null>;
  /** fen held by refunds of this order's transaction that are not over (PROCESSING, SUCCESS, ABNORMAL) */
  declare refundReserved: CreationOptional<number>;
  /** fen refunded successfully from this order's transaction */
  declare refundedAmount: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare items?: NonAttribute<OrderItem[]>;
}

export default (app: Application) => {
  Order.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    orderNo: { type: DataTypes.STRING(32), allowNull: false, unique: true },
    userId: { type: DataTypes.INTEGER, allowNull: false },
    amount: { type: DataTypes.INTEGER, allowNull: false },
    description: { type: DataTypes.STRING(128), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    prepayId: { type: DataTypes.STRING(64), allowNull: true },
    prepayExpiresAt: { type: DataTypes.DATE, allowNull: true },
    transactionId: { type: DataTypes.STRING(32), allowNull: true, unique: true },
    paidAt: { type: DataTypes.DATE, allowNull: true },
    closedAt: { type: DataTypes.DATE, allowNull: true },
    expiresAt: { type: DataTypes.DATE, allowNull: false },
    claimedUntil: { type: DataTypes.DATE, allowNull: true },
    refundReserved: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    refundedAmount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    createdAt: DataTypes.DATE,
    updatedAt: DataTypes.DATE,
  }, { sequelize: app.model, tableName: 'orders', modelName: 'Order', underscored: true });

  return Object.assign(Order, {
    associate() {
      Order.hasMany(app.model.OrderItem, { as: 'items', foreignKey: 'orderId' });
    },
  });
};
