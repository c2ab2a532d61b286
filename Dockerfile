# wxpay-merchant: production image.
#
#   docker build -t wxpay-merchant .
#   docker run --rm -p 7001:7001 --env-file prod.env wxpay-merchant
#   docker run --rm --env-file prod.env wxpay-merchant node_modules/.bin/sequelize-cli db:migrate
#
# Required variables are listed in the README (config/config.prod.ts refuses to
# start without them). Logs go to /app/logs (LOG_DIR); EGG_WORKERS sets the
# number of app workers (default: one per CPU).

# ---- build: compile the TypeScript into dist/ (npm run tsc) ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Optional dependencies stay in: the console's bundler (vite's rolldown) runs
# from a platform binary that npm installs as one. sqlite3, also optional, only
# serves local development and tests; if it cannot install here npm skips it.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# dist/ is a complete egg base directory: app.js, app/, config/ compiled, plus
# package.json, .sequelizerc and database/ (migrations, and the connection
# module config.default requires) copied beside them, and the merchant
# console built by vite into dist/console/dist.
RUN npm run tsc

# ---- runtime: production dependencies and compiled files only ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    EGG_SERVER_ENV=prod \
    PORT=7001
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
 && npm cache clean --force
# The build output becomes /app itself, so egg's baseDir is the working
# directory, where the logs and `sequelize-cli db:migrate` expect it.
# dist/sandbox (the WeChat simulator, emitted because config.local/unittest
# import it) is left out: production never loads it.
COPY --from=build /app/dist/package.json /app/dist/.sequelizerc /app/dist/app.js ./
COPY --from=build /app/dist/app ./app
COPY --from=build /app/dist/config ./config
COPY --from=build /app/dist/database ./database
COPY --from=build /app/dist/console/dist ./console/dist
# The code stays root-owned and read-only; the service writes only its logs
# (LOG_DIR, default /app/logs) and egg's run/ directory.
RUN mkdir -p logs run && chown node:node logs run
USER node
EXPOSE 7001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 7001) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# egg-scripts in the foreground, exec'd directly (not through npm): SIGTERM
# reaches it and it shuts the cluster down cleanly. Same flags as
# `npm run start:foreground`, whose baseDir is dist/: here it is /app. The
# preflight makes a missing variable a one-line message, not a stack trace.
CMD ["node_modules/.bin/egg-scripts", "start", "--title=egg-server-wxpay-merchant", "--require=./config/prod-preflight.js"]
