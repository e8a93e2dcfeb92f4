# The hello app's image. Builds with the classic builder and with BuildKit (no BuildKit-only syntax).
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY app/package.json ./app/
# --ignore-scripts: no git hooks or dependency install scripts are wanted in an image.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.app.json ./
COPY app ./app
RUN npx tsc -p tsconfig.app.json

# The app's workspace alone (app/package.json): its runtime dependencies, none of the toolkit's.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime-deps
WORKDIR /src
COPY package.json package-lock.json ./
COPY app/package.json ./app/
RUN npm ci --omit=dev --workspace app --ignore-scripts --no-audit --no-fund \
  && rm node_modules/hello-app node_modules/.package-lock.json

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production PORT=8080
WORKDIR /app
COPY app/package.json ./
COPY --from=runtime-deps /src/node_modules ./node_modules
COPY --from=build /src/dist/app ./dist/app
# Last, so a new release only rebuilds this tiny layer.
ARG RELEASE_TAG=unknown
ARG GIT_COMMIT=unknown
ENV RELEASE_TAG=${RELEASE_TAG} GIT_COMMIT=${GIT_COMMIT}
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1: the server handles SIGTERM (graceful stop), so no shell or init wrapper in between.
CMD ["node", "dist/app/server.js"]
