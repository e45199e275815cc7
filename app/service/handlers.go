package service

import (
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// State is what the probes report: started once the listener is up, ready until the
// shutdown begins (SIGTERM flips it first, before any connection is closed).
type State struct {
	started  atomic.Bool
	draining atomic.Bool
}

func (s *State) MarkStarted()  { s.started.Store(true) }
func (s *State) MarkDraining() { s.draining.Store(true) }
func (s *State) Ready() bool   { return s.started.Load() && !s.draining.Load() }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// NewHandler builds the app's routes, each instrumented under its route name.
func NewHandler(cfg Config, state *State, reg *prometheus.Registry, metrics *Metrics, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	route := func(pattern, name string, h http.HandlerFunc) {
		mux.Handle(pattern, metrics.Wrap(name, logRequests(logger, name, h)))
	}
	// The greeting never changes while the process runs: encode it once.
	greeting, _ := json.Marshal(map[string]string{"message": cfg.Greeting, "version": cfg.Version})
	greeting = append(greeting, '\n')
	route("GET /{$}", "/", func(w http.ResponseWriter, r *http.Request) {
		if cfg.FaultLatency > 0 {
			select {
			case <-time.After(cfg.FaultLatency):
			case <-r.Context().Done():
				return
			}
		}
		if cfg.FaultErrorRate > 0 && rand.Float64() < cfg.FaultErrorRate {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "injected fault", "version": cfg.Version})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(greeting)
	})
	route("GET /healthz", "/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	route("GET /readyz", "/readyz", func(w http.ResponseWriter, r *http.Request) {
		if !state.Ready() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	route("GET /startupz", "/startupz", func(w http.ResponseWriter, r *http.Request) {
		if !state.started.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "started"})
	})
	route("GET /version", "/version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"version": cfg.Version, "commit": cfg.Commit, "go": runtime.Version()})
	})
	mux.Handle("GET /metrics", metrics.Wrap("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})))
	// Anything else: one fixed label, so random paths cannot explode metric cardinality.
	mux.Handle("/", metrics.Wrap("other", http.NotFoundHandler()))
	return mux
}

// logRequests logs each request at debug level; disabled levels cost one check.
func logRequests(logger *slog.Logger, route string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !logger.Enabled(r.Context(), slog.LevelDebug) {
			next(w, r)
			return
		}
		start := time.Now()
		next(w, r)
		logger.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("route", route), slog.String("method", r.Method), slog.Duration("took", time.Since(start)))
	}
}
