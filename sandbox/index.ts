import { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { BillBook } from './bill-book';
import { BILL_CONTROL_PREFIX, BillControl } from './bill-control';
import { BillDownloadLinks } from './bill-download-links';
import { TradeBills } from './bill-generator';
import { FaultControl } from './fault-control';
import { FaultInjector } from './faults';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { json, readBody, SandboxReply, SandboxRequest, SandboxTransport, sendReply } from './http';
import { Code2SessionSimulator } from './login';
import { NotifyDeliverer } from './notify-delivery';
import type { SandboxOptions } from './options';
import { PayV2Simulator, V2_OPERATIONS } from './pay-v2';
import { PayV3Simulator, V3_PATH_PREFIX } from './pay-v3';
import { Payer } from './payer';
import { MerchantPlatform } from './platform-refund';
import { refundSettler } from './refund-auto-settle';
import { RefundControl } from './refund-control';
import { RefundLedger } from './refund-ledger';
import { RefundNotifier } from './refund-notifier';
import { RefundStore } from './refund-store';
import { SandboxStateFile } from './sandbox-state';
import { Trade, TradeStore } from './trade-store';
import { V2NotifyFormat } from './v2-notify';
import { DownloadBillV2Simulator } from './v2-downloadbill';
import { RefundV2Simulator } from './v2-refund';
import { V2RefundNotifyFormat } from './v2-refund-notify';
import { RefundQueryV2Simulator } from './v2-refundquery';
import { SandboxNotifyDeliverer, V3NotifyFormat } from './v3-notify';
import { RefundV3Operations } from './v3-refund';
import { RequestPaymentControl } from './request-payment';
import { V3RefundNotifyFormat } from './v3-refund-notify';
import { TradeBillV3Operations } from './v3-tradebill';

export type { SandboxOptions } from './options';

type Route = (request: SandboxRequest) => Promise<SandboxReply>;

/** Where the request came to, as the caller addressed it: links the sandbox hands out point back there. */
function requestOrigin(req: IncomingMessage): string {
  const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  return `${scheme}://${req.headers.host ?? '127.0.0.1'}`;
}

export const SANDBOX_PREFIX = '/sandbox';

/**
 * The WeChat simulator: the parts of api.weixin.qq.com (under /sandbox/wechat)
 * and api.mch.weixin.qq.com (under /sandbox/pay) the service uses, plus
 * control calls (under /sandbox/control) that let a test or a developer play
 * the payer, move refunds on, stage what the daily bills say and inject faults. Mounted in local and unittest
 * only, over plain HTTP; startTlsListener (tls-listener.ts) serves it over
 * TLS too, which the v2 refund's mutual TLS needs.
 */
export class Sandbox {
  readonly faults = new FaultInjector();
  /** every trade placed through any Pay API version */
  readonly trades: TradeStore;
  /** every refund accepted through any Pay API version or the merchant platform */
  readonly refunds: RefundStore;
  /** the daily trade bills, generated from the trades and refunds plus what the bill controls staged */
  readonly bills: TradeBills;
  /** WeChat's payment notify deliveries to the merchant, with their retries */
  readonly notifies: NotifyDeliverer<Trade>;
  /** WeChat's refund notify deliveries, likewise */
  readonly refundNotifies: RefundNotifier;
  /** Pay API v3; tests reach its signer to switch serial modes or forge replies */
  readonly payV3: PayV3Simulator;
  private readonly routes = new Map<string, Route>();
  /** routes owning every path under a prefix, whatever the method (v3 puts ids in paths) */
  private readonly prefixRoutes: Array<[ string, Route ]> = [];

  constructor(readonly options: SandboxOptions) {
    const state = new SandboxStateFile(options.statePath);
    this.trades = new TradeStore(options.clock, state);
    this.refunds = new RefundStore(this.trades.clock, state);
    this.bills = new TradeBills(this.trades, this.refunds, new BillBook(state));
    this.notifies = new SandboxNotifyDeliverer(options.notifyRetryScale);
    this.notifies.useFormat('v2', new V2NotifyFormat(options.apiKey));
    this.refundNotifies = new RefundNotifier(options.notifyRetryScale);
    this.refundNotifies.useFormat('v2', new V2RefundNotifyFormat(options.apiKey));
    const ledger = new RefundLedger(this.trades, this.refunds,
      refundSettler(options.refundSettleAfterMs ?? 0, this.refunds, this.refundNotifies));

    const login = new Code2SessionSimulator(options.appId, options.secret, this.faults);
    this.route('GET', '/wechat/sns/jscode2session', request => login.handle(request));

    // The service's WeChat Pay base URL is <origin>/sandbox/pay, so v2's /pay/unifiedorder lands here.
    const payV2 = new PayV2Simulator(options, this.trades, this.faults);
    for (const operation of V2_OPERATIONS) {
      this.route('POST', `/pay/pay/${operation}`, request => payV2.handle(operation, request));
    }
    // The refund needs the merchant API certificate: WeChat recognises it by its key and its CN, the mch_id.
    const merchantPublicKey = options.merchantPrivateKey ? createPublicKey(createPrivateKey(options.merchantPrivateKey)) : undefined;
    const refundV2 = new RefundV2Simulator({ ...options, publicKey: merchantPublicKey }, ledger, this.faults);
    this.route('POST', '/pay/secapi/pay/refund', request => refundV2.refund(request));
    const refundQueryV2 = new RefundQueryV2Simulator(options, this.trades, this.refunds, this.faults);
    this.route('POST', '/pay/pay/refundquery', request => refundQueryV2.query(request));
    const downloadBillV2 = new DownloadBillV2Simulator(options, this.bills, this.faults, this.trades.clock);
    this.route('POST', '/pay/pay/downloadbill', request => downloadBillV2.download(request));

    // v3 paths sit under the same base URL: <origin>/sandbox/pay/v3/...
    const tradeBillV3 = new TradeBillV3Operations(this.bills, new BillDownloadLinks(this.trades.clock), this.trades.clock);
    this.payV3 = new PayV3Simulator(options, this.trades, this.faults, new RefundV3Operations(ledger, this.refunds), tradeBillV3);
    this.prefixRoutes.push([ V3_PATH_PREFIX, request => this.payV3.handle(request) ]);
    this.notifies.useFormat('v3', new V3NotifyFormat(options.apiV3Key, () => this.payV3.signer));
    this.refundNotifies.useFormat('v3', new V3RefundNotifyFormat(options.apiV3Key, () => this.payV3.signer));

    const payer = new Payer(this.trades, this.notifies);
    this.route('POST', '/control/pay', request => payer.pay(request));
    this.route('GET', '/control/notifies', async request => payer.notifyReport(request));
    this.route('POST', '/control/notify/resend', request => payer.resend(request));
    const requestPayment = new RequestPaymentControl(options, this.trades, payer, merchantPublicKey);
    this.route('POST', '/control/request-payment', request => requestPayment.handle(request));
    const refunds = new RefundControl(this.refunds, this.refundNotifies);
    this.route('POST', '/control/refund', request => refunds.settle(request));
    this.route('POST', '/control/refund/resend', request => refunds.resend(request));
    this.route('GET', '/control/refund-notifies', async request => refunds.notifyReport(request));
    this.route('GET', '/control/refunds', async request => refunds.list(request));
    const platform = new MerchantPlatform(this.trades, this.refunds, ledger, this.refundNotifies);
    this.route('POST', '/control/refund/platform', request => platform.refund(request));
    const bills = new BillControl(options, this.bills, this.trades);
    this.route('POST', '/control/bills/rows', async request => bills.addRow(request));
    this.route('POST', '/control/bills/amounts', async request => bills.setAmount(request));
    this.route('DELETE', '/control/bills', async () => bills.reset());
    this.prefixRoutes.push([ BILL_CONTROL_PREFIX, async request => bills.byPath(request) ]);
    const faults = new FaultControl(this.faults);
    this.route('POST', '/control/faults', async request => faults.arm(request));
    this.route('GET', '/control/faults', async () => faults.list());
    this.route('DELETE', '/control/faults', async () => faults.clear());
  }

  /** Stops the simulator's background work: pending notify retries and requests under way. */
  close(): void {
    this.notifies.close();
    this.refundNotifies.close();
  }

  /** Registers a route under the sandbox prefix. */
  route(method: string, path: string, handler: Route): void {
    this.routes.set(`${method} ${SANDBOX_PREFIX}${path}`, handler);
  }

  /**
   * Serves a sandbox path; false when the path is not the sandbox's.
   * `transport` is what the TLS listener learnt of the caller; the plain
   * HTTP mount has nothing to tell.
   */
  async handle(req: IncomingMessage, res: ServerResponse, transport: SandboxTransport = {}): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    if (!url.pathname.startsWith(`${SANDBOX_PREFIX}/`)) return false;
    const route = this.routes.get(`${req.method} ${url.pathname}`)
      ?? this.prefixRoutes.find(([ prefix ]) => url.pathname.startsWith(prefix))?.[1];
    try {
      const body = await readBody(req);
      const reply = route
        ? await route({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          clientCertificate: transport.clientCertificate,
          origin: requestOrigin(req),
        })
        : json(404, { code: 'NOT_FOUND', message: `the sandbox has no ${req.method} ${url.pathname}` });
      sendReply(res, reply);
    } catch (err) {
      sendReply(res, json(500, { code: 'SANDBOX_ERROR', message: (err as Error).message }));
    }
    return true;
  }
}
