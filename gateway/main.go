package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"meshcart/gateway/internal/edge"
)

func main() {
	cfg, err := edge.LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "meshcart edge: invalid configuration:\n%v\n", err)
		os.Exit(2)
	}
	telCfg, err := edge.LoadTelemetryConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "meshcart edge: invalid telemetry configuration:\n%v\n", err)
		os.Exit(2)
	}
	logger := edge.NewLogger(os.Stdout, cfg.LogLevel)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// Before the server is built: otelhttp and otelgrpc pick the providers up from the globals.
	tel, err := edge.StartTelemetry(ctx, telCfg, logger)
	if err != nil {
		logger.Error("telemetry failed to start", "err", err.Error())
		os.Exit(1)
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
		stop()
		os.Exit(1)
	}
}
