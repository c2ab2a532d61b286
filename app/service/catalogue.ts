import { Service } from 'egg';
import { literal, Op, Transaction } from 'sequelize';
import { ConflictError } from '../lib/api-error';

export interface ProductView {
  id: number;
  name: string;
  price: number;
  stock: number;
}

/** The owner of `products`: the catalogue and its stock. */
export default class CatalogueService extends Service {
  /** The catalogue, prices in fen. */
  async listProducts(): Promise<ProductView[]> {
    const products = await this.app.model.Product.findAll({
      attributes: [ 'id', 'name', 'price', 'stock' ],
      order: [[ 'id', 'ASC' ]],
    });
    return products.map(({ id, name, price, stock }) => ({ id, name, price, stock }));
  }

  /**
   * Takes each line's quantity from stock if that much is left (a
   * compare-and-set, never negative), in the caller's transaction. Lines are
   * taken in product id order so that concurrent orders cannot deadlock.
   */
  async reserveStock(lines: Array<{ productId: number; quantity: number }>, transaction: Transaction): Promise<void> {
    for (const line of [ ...lines ].sort((a, b) => a.productId - b.productId)) {
      const [ affected ] = await this.app.model.Product.update(
        { stock: literal(`stock - ${Number(line.quantity)}`) },
        { where: { id: line.productId, stock: { [Op.gte]: line.quantity } }, transaction },
      );
      if (affected !== 1) throw new ConflictError('OUT_OF_STOCK', `not enough stock for product ${line.productId}`);
    }
  }

  /** Gives reserved quantities back, in the caller's transaction (and the same order as reserveStock). */
  async releaseStock(lines: Array<{ productId: number; quantity: number }>, transaction: Transaction): Promise<void> {
    for (const line of [ ...lines ].sort((a, b) => a.productId - b.productId)) {
      await this.app.model.Product.update(
        { stock: literal(`stock + ${Number(line.quantity)}`) },
        { where: { id: line.productId }, transaction },
      );
    }
  }
}
