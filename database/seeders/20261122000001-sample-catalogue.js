'use strict';

// A small sample catalogue for local development and demos; prices in fen.
const PRODUCTS = [
  { name: 'Americano', price: 1800, stock: 1000 },
  { name: 'Latte', price: 2600, stock: 1000 },
  { name: 'Croissant', price: 1200, stock: 200 },
  { name: 'Coffee beans 250 g', price: 6800, stock: 50 },
];

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    const now = new Date();
    await queryInterface.bulkInsert('products', PRODUCTS.map(product => ({
      ...product,
      created_at: now,
      updated_at: now,
    })));
  },

  async down(queryInterface, Sequelize) {
    await queryInterface.bulkDelete('products', { name: { [Sequelize.Op.in]: PRODUCTS.map(p => p.name) } });
  },
};
