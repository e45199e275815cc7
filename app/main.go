// Command goship is the Go web service goship deploys: see service.Run.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"goship/app/service"
)

// Stamped at build time: -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		cancel() // first signal: graceful shutdown
		<-signals
		fmt.Fprintln(os.Stderr, "second signal: exiting now")
		os.Exit(2)
	}()
	if err := service.Run(ctx, os.Getenv, os.Stdout, version, commit); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
