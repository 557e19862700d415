package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/otel"

	"meshcart/gateway/internal/edge"
)

func main() { os.Exit(run()) }

// run returns the exit code; its deferred calls (the log flush above all) run before
// main exits, on every way out.
func run() int {
	cfg, err := edge.LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "meshcart edge: invalid configuration:\n%v\n", err)
		return 2
	}
	telCfg, err := edge.LoadTelemetryConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "meshcart edge: invalid telemetry configuration:\n%v\n", err)
		return 2
	}
	// Logs (one access line per request) are buffered and written to stdout every 200ms;
	// the last ones on the way out, after the telemetry flush (deferred first, runs last).
	logOut := edge.NewLogWriter(os.Stdout)
	defer func() { _ = logOut.Close() }()
	logger := edge.NewLogger(logOut, cfg.LogLevel)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// Before the server is built: otelhttp and otelgrpc pick the providers up from the globals.
	tel, err := edge.StartTelemetry(ctx, telCfg, logger)
	if err != nil {
		logger.Error("telemetry failed to start", "err", err.Error())
		return 1
	}
	if err := logOut.RegisterMetrics(otel.Meter("meshcart/gateway/edge")); err != nil {
		logger.Warn("log metrics not registered", "err", err.Error())
	}
	runErr := edge.Run(ctx, cfg, logger)
	// Flush spans and metrics on every way out (SIGTERM included), bounded.
	flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	if err := tel.Shutdown(flushCtx); err != nil {
		logger.Warn("telemetry flush failed", "err", err.Error())
	}
	cancel()
	if runErr != nil {
		logger.Error("edge failed", "err", runErr.Error())
		return 1
	}
	return 0
}
