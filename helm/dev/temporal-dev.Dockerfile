# Tilt k8s mode only: the Temporal dev server (the real server, SQLite, Web UI) built from the Go
# module proxy at the same pinned version as scripts/temporal.sh (TEMPORAL_CLI_MODULE).
FROM golang:1.26.8-bookworm AS build
RUN CGO_ENABLED=0 GOBIN=/out go install github.com/temporalio/cli/cmd/temporal@v1.5.1

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/temporal /temporal
USER 10001:10001
EXPOSE 7233 8233
ENTRYPOINT ["/temporal", "server", "start-dev", "--ip", "0.0.0.0", "--port", "7233", "--ui-port", "8233", "--db-filename", "/tmp/temporal.db", "--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true"]
