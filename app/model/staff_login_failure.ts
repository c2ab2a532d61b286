import { Application } from 'egg';
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model } from 'sequelize';

/** One failed (or still running) staff login for a username, known or not. */
export class StaffLoginFailure extends Model<InferAttributes<StaffLoginFailure>, InferCreationAttributes<StaffLoginFailure>> {
  declare id: CreationOptional<number>;
  declare username: string;
  declare failedAt: Date;
}

export default (app: Application) => {
  StaffLoginFailure.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    username: { type: DataTypes.STRING(64), allowNull: false },
    failedAt: { type: DataTypes.DATE, allowNull: false },
  }, {
    sequelize: app.model,
    tableName: 'staff_login_failures',
    modelName: 'StaffLoginFailure',
    underscored: true,
    timestamps: false,
  });
  return StaffLoginFailure;
};
