# One image recipe for every Node deployable of meshcart:
#   docker build --build-arg SERVICE=<users|catalog|inventory|payments|shipping|orders|saga-worker> \
#     -t meshcart/<SERVICE> .
# Build context: the repository root. Stages:
#   manifests  every package.json + the lockfile (so the npm layers cache until they change)
#   deps       full npm ci (build tools: esbuild via tsx, prisma, @temporalio/worker's webpack)
#   build      prisma generate (when the service has a schema) + scripts/bundle.ts -> dist/
#   dev        Tilt's k8s live-update image (--target dev): sources + tsx watch
#   runtime    (default, last) npm ci --omit=dev + dist/; non-root, read-only-root friendly
# Images are pinned by exact version: NODE_IMAGE must carry the Node.js version in .node-version
# (the runtime every local process and test runs on; delivery/dockerfiles.test.ts checks they agree). A fork on a
# registry-free machine passes a locally built base with --build-arg NODE_IMAGE=... .
ARG NODE_IMAGE=node:26.12.1-bookworm-slim

FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
# Keep directory structure: npm ci needs each workspace's package.json at its own path.
RUN mkdir -p /manifests \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json /manifests/

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY --from=manifests /manifests/ ./
# --ignore-scripts: every binary we need (esbuild, swc, temporal core-bridge) ships in its package.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS build
ARG SERVICE
COPY . .
RUN test -n "${SERVICE}" || { echo "build arg SERVICE is required (users|catalog|inventory|payments|shipping|orders|saga-worker)" >&2; exit 1; }
# The Prisma client is generated (gitignored). generate needs no engine download; the dummy URL
# only satisfies prisma.config.ts, nothing connects.
RUN if [ -f "services/${SERVICE}/prisma/schema.prisma" ]; then \
      cd "services/${SERVICE}" && PRISMA_SCHEMA_ENGINE_BINARY=/bin/false \
      DATABASE_URL=mysql://build:build@127.0.0.1:3306/build npx prisma generate; \
    fi
RUN npx tsx scripts/bundle.ts "${SERVICE}" --outdir dist
# Everything the runtime stage takes, gathered at the paths the code looks for them:
#   dist/main.js            fixed name for the exec-form ENTRYPOINT (no variable expansion there)
#   prisma/migrations       = <dist>/../prisma/migrations, as seen from services/<x>/src/main.ts
#   gen/ts/descriptor.binpb resolved through the @meshcart/proto workspace link (reflection)
#   helm/.../call-graph.yaml  found from cwd by @meshcart/kit (the chart mounts its own copy)
#   helm/.../topology.yaml    the default ports and addresses (@meshcart/kit topology)
RUN mkdir -p /out/dist /out/prisma/migrations /out/gen/ts /out/helm/meshcart/files \
 && cp dist/"${SERVICE}".* /out/dist/ \
 && ln -s "${SERVICE}.js" /out/dist/main.js \
 && if [ -d "services/${SERVICE}/prisma/migrations" ]; then cp -r "services/${SERVICE}/prisma/migrations/." /out/prisma/migrations/; fi \
 && cp gen/ts/descriptor.binpb /out/gen/ts/ \
 && cp helm/meshcart/files/call-graph.yaml helm/meshcart/files/topology.yaml /out/helm/meshcart/files/

# Tilt live_update target: runs the TypeScript sources under `tsx watch`, which restarts the
# process when Tilt syncs changed files into services/, packages/ or gen/ts. Dev only.
FROM deps AS dev
ARG SERVICE
ENV SERVICE=${SERVICE}
COPY . .
RUN chown -R 10001:10001 /src/services /src/packages /src/gen /src/saga
USER 10001:10001
# `migrate` (the migration Job's args) runs once without watch, so the Job can complete.
ENTRYPOINT ["/bin/sh", "-c", "case \"$SERVICE\" in saga-worker) e=saga/src/worker/main.ts ;; *) e=services/$SERVICE/src/main.ts ;; esac; w='watch --clear-screen=false'; [ \"$1\" = migrate ] && w=; exec node_modules/.bin/tsx --require ./packages/kit/src/telemetry/register.ts $w \"$e\" \"$@\"", "--"]

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    SERVICE_NAME=${SERVICE} \
    MIGRATIONS_DIR=/app/prisma/migrations \
    MESHCART_CALL_GRAPH_FILE=/app/helm/meshcart/files/call-graph.yaml \
    MESHCART_TOPOLOGY_FILE=/app/helm/meshcart/files/topology.yaml
WORKDIR /app
COPY --from=manifests /manifests/ ./
# Production dependencies only; files stay root-owned, so the app (uid 10001) cannot change them.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf /root/.npm /tmp/*
COPY --from=build /out/ ./
# Numeric uid:gid so Kubernetes runAsNonRoot can verify it without /etc/passwd.
USER 10001:10001
EXPOSE 50051-50056 50060 9464
# Exec form: node is PID 1 and receives SIGTERM itself (graceful gRPC shutdown). ENTRYPOINT, not
# CMD, so the migration Job's `args: ["migrate"]` becomes `node ... dist/main.js migrate`.
ENTRYPOINT ["node", "--enable-source-maps", "--require", "./dist/otel-register.js", "dist/main.js"]
