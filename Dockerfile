# wxpay-merchant: production image.
#
#   docker build -t wxpay-merchant .
#   docker run --rm -p 7001:7001 --env-file prod.env wxpay-merchant
#   docker run --rm --env-file prod.env wxpay-merchant node_modules/.bin/sequelize-cli db:migrate
#
# Required variables are listed in the README (config/config.prod.ts refuses to
# start without them). Logs go to /app/logs (LOG_DIR); EGG_WORKERS sets the
# number of app workers (default: one per CPU).

# ---- build: compile the TypeScript (Egg 3 writes each .js beside its .ts) ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# sqlite3 is optional and only serves local development and tests: skip it
# (it would need python3, make and g++ to compile here).
COPY package.json package-lock.json ./
RUN npm ci --omit=optional --no-audit --no-fund
COPY . .
# Compile, then drop the TypeScript sources so only the .js reaches the runtime.
RUN npm run tsc \
 && find app config sandbox -name '*.ts' ! -name '*.d.ts' -delete \
 && rm app.ts

# ---- runtime: production dependencies and compiled files only ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    EGG_SERVER_ENV=prod \
    PORT=7001
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
 && npm cache clean --force
COPY .sequelizerc ./
COPY database ./database
COPY --from=build /app/app.js ./
COPY --from=build /app/app ./app
COPY --from=build /app/config ./config
# sandbox/ (the WeChat simulator) is left out: production never loads it.
# The code stays root-owned and read-only; the service writes only its logs
# (LOG_DIR, default /app/logs) and egg's run/ directory.
RUN mkdir -p logs run && chown node:node logs run
USER node
EXPOSE 7001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 7001) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# egg-scripts in the foreground, exec'd directly (not through npm): SIGTERM
# reaches it and it shuts the cluster down cleanly.
CMD ["node_modules/.bin/egg-scripts", "start", "--title=egg-server-wxpay-merchant"]
