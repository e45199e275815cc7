package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Server is the service: its handler chain, its probes and the shutdown sequence.
type Server struct {
	cfg     Config
	logger  *slog.Logger
	probes  *Probes
	tracing *Tracing
	http    *http.Server
}

// Option adjusts a Server built by New.
type Option func(*Server)

// WithTracing traces every route with t (nil = off) and flushes its spans at shutdown.
func WithTracing(t *Tracing) Option { return func(s *Server) { s.tracing = t } }

// New wires the routes, metrics (on reg) and probes for cfg.
func New(cfg Config, logger *slog.Logger, reg *prometheus.Registry, opts ...Option) (*Server, error) {
	metrics, err := NewMetrics(reg, cfg.Version)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, logger: logger, probes: &Probes{}}
	for _, opt := range opts {
		opt(s)
	}
	s.http = &http.Server{
		Handler:           newHandler(cfg, s.probes, reg, metrics, logger, s.tracing),
		ReadHeaderTimeout: 5 * time.Second, // bounds slow-header clients
		// Longer than ingress-nginx's upstream keep-alive timeout (60s), so the proxy,
		// not this server, closes idle connections: no request races a close.
		IdleTimeout: 90 * time.Second,
		ErrorLog:    slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Probes exposes the readiness state, for tests and embedding programs.
func (s *Server) Probes() *Probes { return s.probes }

// Handler is the full handler chain, for embedding programs such as the benchmark.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Run serves on ln until ctx is done, then shuts down without dropping a request:
//  1. readiness fails at once (Kubernetes starts removing the endpoint);
//  2. the server keeps serving for DrainDelay while that change propagates, with
//     keep-alives off so clients reconnect to pods that are still ready;
//  3. http.Server.Shutdown closes the listener and waits up to ShutdownTimeout for
//     in-flight requests.
//
// It returns nil after a clean shutdown, and an error if serving failed or in-flight
// requests outlived ShutdownTimeout (they are then cut).
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.http.Serve(ln) }()
	s.probes.MarkStarted()
	s.logger.Info("listening", "addr", ln.Addr().String(), "version", s.cfg.Version, "commit", s.cfg.Commit)

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	signalled := time.Now()
	s.probes.MarkDraining()
	s.http.SetKeepAlivesEnabled(false)
	s.logger.Info("shutdown: readiness now failing, draining",
		"cause", context.Cause(ctx).Error(), "drainDelay", s.cfg.DrainDelay.String())

	drain := time.NewTimer(s.cfg.DrainDelay)
	defer drain.Stop()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-drain.C:
	}

	s.logger.Info("shutdown: closing listener, waiting for in-flight requests", "timeout", s.cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := s.http.Shutdown(shutdownCtx); err != nil {
		_ = s.http.Close()
		s.logger.Error("shutdown: timed out, remaining connections closed", "timeout", s.cfg.ShutdownTimeout.String())
		return fmt.Errorf("shutdown: in-flight requests outlived SHUTDOWN_TIMEOUT=%v: %w", s.cfg.ShutdownTimeout, err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	// Every request has ended, so every span has too: flush them within what is left of
	// the same budget. Lost spans are logged, never a failed shutdown.
	if err := s.tracing.Shutdown(shutdownCtx); err != nil {
		s.logger.Warn("shutdown: spans not flushed", "error", err.Error())
	}
	s.logger.Info("shutdown: complete", "took", time.Since(signalled).String())
	return nil
}
