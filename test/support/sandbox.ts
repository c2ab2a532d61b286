import { MockApplication } from 'egg-mock';

/** Plays the payer at the sandbox: pays a prepay_id (optionally without any notify). */
export async function payerPays(app: MockApplication, prepayId: string, options: { result?: 'SUCCESS' | 'FAIL'; deliverNotify?: boolean } = {}) {
  const res = await app.httpRequest().post('/sandbox/control/pay').send({ prepayId, ...options });
  if (res.status !== 200) throw new Error(`sandbox pay answered ${res.status}: ${res.text}`);
  return res.body as { outTradeNo: string; transactionId: string; state: string };
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
