# One image for every process of the graph; docker-compose.yml picks the entry per service.
# Node 22 LTS, pinned to an exact release (bump the patch for security fixes; Node 22 is supported until April 2027).
FROM node:22.23.4-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
# BEGIN generated: one package.json per workspace (npm run generate)
COPY shared/package.json shared/
COPY gateway/package.json gateway/
COPY tools/package.json tools/
COPY tools/synthetic/package.json tools/synthetic/
COPY subgraphs/customers/package.json subgraphs/customers/
COPY subgraphs/policies/package.json subgraphs/policies/
COPY subgraphs/claims/package.json subgraphs/claims/
COPY subgraphs/service-requests/package.json subgraphs/service-requests/
COPY subgraphs/complaints/package.json subgraphs/complaints/
COPY subgraphs/insights/package.json subgraphs/insights/
# END generated
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc --build && npm prune --omit=dev

FROM node:22.23.4-bookworm-slim
# NODE_OPTIONS: the V8 flags of tools/src/server-node-flags.ts (npm start passes the same).
# INTROSPECTION, not NODE_ENV, decides introspection (role-filtered, on by default; see README).
ENV NODE_ENV=production APOLLO_TELEMETRY_DISABLED=1 HOST=0.0.0.0 NODE_OPTIONS=--max-semi-space-size=32 INTROSPECTION=true
WORKDIR /app
COPY --from=build /app /app
# Owned by node so the volume mounted here (docker-compose.yml) starts writable: the secrets every process shares.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
CMD ["node", "gateway/dist/main.js"]
