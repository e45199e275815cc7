package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Run serves until ctx is cancelled (SIGTERM), then shuts down without dropping
// requests: readiness fails at once, the server keeps serving for DrainDelay while
// endpoints are removed, then http.Server.Shutdown waits up to ShutdownTimeout for
// in-flight requests.
func Run(ctx context.Context, getenv func(string) string, stdout io.Writer, version, commit string) error {
	cfg, err := LoadConfig(getenv, version, commit)
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	logger := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	logger.Info("starting", "config", cfg)

	reg := prometheus.NewRegistry()
	state := &State{}
	srv := &http.Server{
		Handler:           NewHandler(cfg, state, reg, NewMetrics(reg, cfg.Version), logger),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	state.MarkStarted()
	logger.Info("listening", "addr", ln.Addr().String(), "version", cfg.Version)

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	state.MarkDraining()
	logger.Info("shutdown: readiness failing, draining", "drainDelay", cfg.DrainDelay)
	time.Sleep(cfg.DrainDelay)
	logger.Info("shutdown: closing the server", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("shutdown complete")
	return nil
}
