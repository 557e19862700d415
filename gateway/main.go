package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"go.opentelemetry.io/otel"

	"meshcart/gateway/internal/edge"
)

func main() { os.Exit(run()) }

// run returns the exit code; its deferred calls (the log flush above all) run before
// main exits, on every way out but one: when the shutdown deadline passes, the watchdog
// logs what it gave up on, flushes what it can and exits 1 itself.
func run() int {
	cfg, err := edge.LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "meshcart edge: invalid configuration:\n%v\n", err)
		return 2
	}
	// Nothing we start may mistake its own fd 3 for the supervisor's pipe.
	_ = os.Unsetenv("MESHCART_LIFELINE_FD")
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

	sigCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// The supervisor's lifeline closing means the same as SIGTERM (see edge.WatchLifeline).
	ctx, lost := context.WithCancelCause(sigCtx)
	defer lost(nil)
	if err := edge.WatchLifeline(cfg.LifelineFD, func() { lost(edge.ErrLifelineLost) }); err != nil {
		logger.Warn("lifeline ignored", "err", err.Error())
	}

	var started atomic.Pointer[edge.Telemetry] // read by the watchdog's goroutine
	dl := edge.NewShutdownDeadline(cfg.ShutdownDeadline, edge.ShutdownSteps, func(gaveUpOn []string) {
		logger.Error("shutdown deadline passed: forcing exit",
			"gave_up_on", edge.GaveUpOn(gaveUpOn), "deadline_ms", cfg.ShutdownDeadline.Milliseconds())
		if tel := started.Load(); tel != nil && len(gaveUpOn) > 0 && gaveUpOn[0] != edge.StepTelemetry {
			flushCtx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = tel.Shutdown(flushCtx)
			cancel()
		}
		// Bounded too: a stdout nobody reads must not hold the exit.
		done := make(chan struct{})
		go func() { _ = logOut.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Second):
		}
		os.Exit(1)
	})
	go func() {
		<-ctx.Done()
		// From here on a second signal takes its default action: exit at once.
		stop()
		dl.Start()
	}()

	// Before the server is built: otelhttp and otelgrpc pick the providers up from the globals.
	tel, err := edge.StartTelemetry(ctx, telCfg, logger)
	if err != nil {
		logger.Error("telemetry failed to start", "err", err.Error())
		return 1
	}
	started.Store(tel)
	if err := logOut.RegisterMetrics(otel.Meter("meshcart/gateway/edge")); err != nil {
		logger.Warn("log metrics not registered", "err", err.Error())
	}
	runErr := edge.Run(ctx, cfg, logger, dl)
	// Flush spans and metrics on every way out (SIGTERM included), bounded by the deadline.
	dl.Step(edge.StepTelemetry)
	flushCtx, cancel := context.WithTimeout(context.Background(), min(5*time.Second, dl.Remaining()))
	if err := tel.Shutdown(flushCtx); err != nil {
		logger.Warn("telemetry flush failed", "err", err.Error())
	}
	cancel()
	dl.Step(edge.StepLogs)
	if runErr != nil {
		logger.Error("edge failed", "err", runErr.Error())
		return 1
	}
	return 0
}
