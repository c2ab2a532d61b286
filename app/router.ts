import { Application } from 'egg';

export default (app: Application) => {
  const { controller, router } = app;
  const auth = app.middleware.auth();
  // any member of staff; routes that change something use staffAuth({ role: 'operator' })
  const staff = app.middleware.staffAuth();
  const operator = app.middleware.staffAuth({ role: 'operator' });

  // Pages served from config/static-sites.ts; their bare paths lead to the directory.
  router.redirect('/console', '/console/', 302);
  if (app.config.developerPages) {
    router.redirect('/playground', '/playground/', 302);
    router.redirect('/openapi', '/openapi/', 302);
  }

  router.get('/healthz', controller.health.check);
  router.get('/metrics', controller.metrics.scrape);
  router.get('/openapi.json', controller.openapi.document);

  router.post('/api/login', controller.login.login);
  router.get('/api/products', controller.product.index);

  router.post('/api/orders', auth, controller.order.create);
  router.get('/api/orders', auth, controller.order.index);
  router.get('/api/orders/:orderNo', auth, controller.order.show);
  router.post('/api/orders/:orderNo/pay', auth, controller.order.pay);
  router.post('/api/orders/:orderNo/close', auth, controller.order.close);

  router.post('/api/pay/notify', controller.notify.v2);
  router.post('/api/pay/notify/v3', controller.notify.v3);
  router.post('/api/pay/refund-notify', controller.notify.refundV2);
  router.post('/api/pay/refund-notify/v3', controller.notify.refundV3);

  router.post('/admin/api/login', controller.admin.session.login);
  router.get('/admin/api/orders', staff, controller.admin.order.index);
  router.get('/admin/api/orders/:orderNo', staff, controller.admin.order.show);
  router.post('/admin/api/orders/:orderNo/refunds', operator, controller.admin.refund.create);
  router.get('/admin/api/refunds', staff, controller.admin.refund.index);
  router.get('/admin/api/refunds/:refundNo', staff, controller.admin.refund.show);
  router.get('/admin/api/reconciliations', staff, controller.admin.reconciliation.index);
  router.get('/admin/api/reconciliations/:date', staff, controller.admin.reconciliation.show);
  router.get('/admin/api/reconciliations/:date/discrepancies.csv', staff, controller.admin.reconciliation.discrepanciesCsv);
  router.post('/admin/api/reconciliations/:date/run', operator, controller.admin.reconciliation.run);
};
