# Honorboard in a container: `docker compose up -d` (see compose.yaml and the README's
# "Production" section). The SQLite database lives on the /data volume; migrations run on start.

# --- build: dependencies with their native parts, the SvelteKit build, then only what runs ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and argon2 download prebuilt binaries; the compilers are the fallback for
# platforms without one.
RUN apt-get update \
	&& apt-get install -y --no-install-recommends python3 make g++ \
	&& rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY scripts/prune-lock.mjs scripts/prune-lock.mjs
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
	&& npm prune --omit=dev --no-audit --no-fund

# --- run: node, the build, the migrations and production dependencies; no compilers, no sources ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
	HOST=0.0.0.0 \
	PORT=3000 \
	DATABASE_URL=/data/honorboard.db
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY --from=build /app/drizzle ./drizzle
# PostgreSQL's migrations, which `node build/cli.js migrate-to --to postgres://…` applies.
COPY --from=build /app/drizzle-pg ./drizzle-pg
COPY --from=build /app/scripts/healthcheck.mjs ./scripts/healthcheck.mjs
# The image's own "node" user (uid 1000) owns the data folder and nothing else.
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Three misses in a row (90 s) make it unhealthy: enough for the migrations at start.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
	CMD ["node", "scripts/healthcheck.mjs"]
# node itself is PID 1 and gets SIGTERM from `docker stop`: it finishes requests, closes the
# sockets, releases the scheduler lease and closes the database.
CMD ["node", "build/server.js"]
