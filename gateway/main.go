package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"meshcart/gateway/internal/edge"
)

func main() {
	cfg, err := edge.LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "meshcart edge: invalid configuration:\n%v\n", err)
		os.Exit(2)
	}
	logger := edge.NewLogger(os.Stdout, cfg.LogLevel)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if err := edge.Run(ctx, cfg, logger); err != nil {
		logger.Error("edge failed", "err", err.Error())
		stop()
		os.Exit(1)
	}
}
