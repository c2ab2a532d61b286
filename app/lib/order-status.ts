/** The life of an order. Only named service functions move an order between them. */
export enum OrderStatus {
  PENDING = 'PENDING',
  PAID = 'PAID',
  CLOSED = 'CLOSED',
  REFUNDED = 'REFUNDED',
}
