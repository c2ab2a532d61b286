import { Controller } from 'egg';

export default class ProductController extends Controller {
  // GET /api/products
  async index() {
    this.ctx.body = await this.service.catalogue.listProducts();
  }
}
