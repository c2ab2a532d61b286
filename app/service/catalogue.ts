import { Service } from 'egg';

export interface ProductView {
  id: number;
  name: string;
  price: number;
  stock: number;
}

export default class CatalogueService extends Service {
  /** The catalogue, prices in fen. */
  async listProducts(): Promise<ProductView[]> {
    const products = await this.app.model.Product.findAll({
      attributes: [ 'id', 'name', 'price', 'stock' ],
      order: [[ 'id', 'ASC' ]],
    });
    return products.map(({ id, name, price, stock }) => ({ id, name, price, stock }));
  }
}
