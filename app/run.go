package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"

	"go.opentelemetry.io/otel"

	"goship/app/internal/service"
)

// run is the whole program: flags, config, logger, metrics, server. It serves until ctx
// is cancelled, then shuts down gracefully; it never exits the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet(args[0], flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [-version]\nConfigured by environment variables: PORT, BIND_ADDR, SHUTDOWN_TIMEOUT, DRAIN_DELAY, GREETING, API_TOKEN, LOG_LEVEL, FAULT_ERROR_RATE, FAULT_LATENCY, VERSION, and OpenTelemetry's OTEL_EXPORTER_OTLP_ENDPOINT (tracing on), OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER(_ARG), OTEL_SDK_DISABLED.\n", args[0])
	}
	showVersion := flags.Bool("version", false, "print version, commit and Go version as JSON, then exit")
	if err := flags.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: configuration comes from the environment", flags.Args())
	}
	if *showVersion {
		return json.NewEncoder(stdout).Encode(map[string]string{"version": version, "commit": commit, "go": runtime.Version()})
	}

	cfg, err := service.LoadConfig(getenv, version, commit)
	if err != nil {
		return err
	}
	// Lines logged with a traced request's context carry its trace_id and span_id.
	logger := slog.New(service.TraceLogHandler{Handler: slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel})})
	logger.Info("starting", "config", cfg)

	tracing, err := service.NewTracing(ctx, cfg)
	if err != nil {
		return err
	}
	if tracing != nil { // export failures as JSON log lines, not the SDK's plain stderr default
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { logger.Warn("opentelemetry", "error", err.Error()) }))
	}
	srv, err := service.New(cfg, logger, service.NewRegistry(), service.WithTracing(tracing))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		_ = tracing.Shutdown(ctx)
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	return srv.Run(ctx, ln)
}
