#!/usr/bin/env node
'use strict';

/**
 * Starts a built tree (the current directory) as one process, agent and app
 * worker together (egg's single mode), listening on BENCH_APP_PORT, so that
 * what one process reports (V8's GC trace for bench/allocation.sh, a profiler)
 * covers every request. Serves as egg-cluster's worker does: a plain
 * node:http server around the app's callback, announced by the `server`
 * event before it listens (what app.ts's shutdown tracking waits for).
 */

const http = require('node:http');
const path = require('node:path');

const port = Number(process.env.BENCH_APP_PORT || 7401);
const baseDir = process.cwd();

require(path.join(baseDir, 'node_modules/egg')).start({ baseDir, ignoreWarning: true }).then(app => {
  const server = http.createServer(app.callback());
  app.emit('server', server);
  server.listen(port, '127.0.0.1', () => console.log(`single-process app on 127.0.0.1:${port}, pid ${process.pid}`));
  const stop = () => app.close().then(() => server.close(() => process.exit(0)), () => process.exit(1));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}, err => {
  console.error(err);
  process.exit(1);
});
