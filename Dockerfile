# One image for the three apps; docker-compose.yml picks the entry (gateway, persister or notifier) with `command`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm exec tsc -b apps/gateway apps/persister apps/notifier \
 && pnpm prune --prod

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "apps/gateway/dist/main.js"]
