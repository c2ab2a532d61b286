import { createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { json, sendReply } from './http';
import { Sandbox, SANDBOX_PREFIX } from './index';
import { caCertificatePem, serverCertificatePem, serverPrivateKeyPem } from './tls-fixtures';
import { MUTUAL_TLS_PATHS } from './v2-refund';

export interface TlsListenerOptions {
  /** 0: any free port */
  port: number;
  /** loopback by default: the simulator accepts anyone's refunds and must never face a network */
  host?: string;
}

export interface TlsListener {
  /** https://host:port */
  origin: string;
  close(): Promise<void>;
}

/**
 * The sandbox over HTTPS, as api.mch.weixin.qq.com only speaks TLS: every
 * /sandbox path the plain mount serves, with the server certificate of the
 * sandbox's test CA (clients trust it through NODE_EXTRA_CA_CERTS). Client
 * certificates are asked for on every connection but required only where
 * WeChat requires them (/secapi): there, a client without one, or with one
 * the CA did not sign, has its connection dropped without any HTTP reply,
 * as WeChat drops the session; one the CA signed reaches the route, which
 * checks it is the merchant's own.
 */
export async function startTlsListener(sandbox: Sandbox, options: TlsListenerOptions): Promise<TlsListener> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer({
    key: serverPrivateKeyPem(),
    cert: serverCertificatePem(),
    ca: caCertificatePem(),
    requestCert: true,
    // The handshake goes on without a valid certificate: only /secapi refuses such a caller.
    rejectUnauthorized: false,
  }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const { pathname } = new URL(req.url ?? '/', 'https://sandbox.local');
    if (!socket.authorized && MUTUAL_TLS_PATHS.includes(pathname)) {
      socket.destroy();
      return;
    }
    const clientCertificate = socket.authorized ? socket.getPeerX509Certificate() : undefined;
    sandbox.handle(req, res, { clientCertificate }).then(handled => {
      if (!handled) sendReply(res, json(404, { code: 'NOT_FOUND', message: `only ${SANDBOX_PREFIX}/ is served here` }));
    }, (err: Error) => sendReply(res, json(500, { code: 'SANDBOX_ERROR', message: err.message })));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    origin: `https://${host}:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}
