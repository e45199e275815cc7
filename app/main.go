// Command goship is the web service goship deploys. Its logic is in run, so a test can
// run the whole program in-process; main only wires the process to it.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Stamped at build time: -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

// main cancels run's context on the first SIGTERM/SIGINT (graceful shutdown) and exits
// at once, non-zero, on a second one.
func main() {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr) }()
	for {
		select {
		case err := <-done:
			if err != nil {
				fmt.Fprintln(os.Stderr, "goship:", err)
				os.Exit(1)
			}
			return
		case sig := <-signals:
			if ctx.Err() == nil {
				cancel(fmt.Errorf("received %v", sig))
				continue
			}
			slog.New(slog.NewJSONHandler(os.Stdout, nil)).Error("shutdown: second signal, exiting now", "signal", sig.String())
			os.Exit(2)
		}
	}
}
