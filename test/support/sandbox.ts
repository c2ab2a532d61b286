import { MockApplication } from 'egg-mock';

export interface PayerOptions {
  result?: 'SUCCESS' | 'FAIL';
  deliverNotify?: boolean;
  /**
   * Answer only once the first notify attempt is over (the sandbox's own
   * default). Off unless asked for here, so that a test can still let the
   * notify race what it does next.
   */
  wait?: boolean;
}

/** Plays the payer at the sandbox: pays a prepay_id (optionally without any notify). */
export async function payerPays(app: MockApplication, prepayId: string, options: PayerOptions = {}) {
  const res = await app.httpRequest().post('/sandbox/control/pay').send({ prepayId, wait: false, ...options });
  if (res.status !== 200) throw new Error(`sandbox pay answered ${res.status}: ${res.text}`);
  return res.body as {
    outTradeNo: string;
    transactionId: string;
    state: string;
    notify: { state: string; firstAttempt?: { status: number | null; acknowledged: boolean; error?: string } };
  };
}

/** Waits (bounded) until `check` holds. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise(resolve => setTimeout(resolve, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
