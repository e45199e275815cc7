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

// Probes is what the Kubernetes probes report. Started turns on once the listener is
// up; Draining turns on the moment the shutdown begins, before any connection closes,
// so the endpoint is removed while the pod still serves.
type Probes struct {
	started  atomic.Bool
	draining atomic.Bool
}

func (p *Probes) MarkStarted()   { p.started.Store(true) }
func (p *Probes) MarkDraining()  { p.draining.Store(true) }
func (p *Probes) Started() bool  { return p.started.Load() }
func (p *Probes) Draining() bool { return p.draining.Load() }
func (p *Probes) Ready() bool    { return p.Started() && !p.Draining() }

// OtherRoute labels every request no named route matched, so random paths cannot grow
// the number of series.
const OtherRoute = "other"

// NewHandler builds the service's routes. Each is instrumented under its pattern and
// logged at debug level; bodies that never change are encoded once, here.
func NewHandler(cfg Config, probes *Probes, gatherer prometheus.Gatherer, metrics *Metrics, logger *slog.Logger) http.Handler {
	return newHandler(cfg, probes, gatherer, metrics, logger, nil)
}

// newHandler is NewHandler with tracing (nil = off): each route's span wraps its
// metrics and access log, so the log line of a traced request carries its ids.
func newHandler(cfg Config, probes *Probes, gatherer prometheus.Gatherer, metrics *Metrics, logger *slog.Logger, tracing *Tracing) http.Handler {
	mux := http.NewServeMux()
	paths := map[string]bool{}
	handle := func(path string, h http.Handler) {
		paths[path] = true
		pattern := "GET " + path
		if path == "/" {
			pattern += "{$}" // "/" alone would match every path
		}
		mux.Handle(pattern, tracing.middleware(path, metrics.Middleware(path, accessLog(logger, path, h))))
	}

	greeting := mustJSON(map[string]string{"message": cfg.Greeting, "version": cfg.Version})
	injected := mustJSON(map[string]string{"error": "injected fault", "version": cfg.Version})
	handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cfg.FaultLatency > 0 {
			t := time.NewTimer(cfg.FaultLatency)
			select {
			case <-t.C:
			case <-r.Context().Done(): // the client left: nothing to answer
				t.Stop()
				return
			}
		}
		if cfg.FaultErrorRate > 0 && rand.Float64() < cfg.FaultErrorRate {
			writeJSON(w, http.StatusInternalServerError, injected)
			return
		}
		writeJSON(w, http.StatusOK, greeting)
	}))

	ok := mustJSON(map[string]string{"status": "ok"})
	handle("/healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, ok) // liveness stays up while draining: a restart would drop in-flight work
	}))

	ready, starting, draining := mustJSON(map[string]string{"status": "ready"}),
		mustJSON(map[string]string{"status": "starting"}), mustJSON(map[string]string{"status": "draining"})
	handle("/readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case probes.Draining():
			writeJSON(w, http.StatusServiceUnavailable, draining)
		case !probes.Started():
			writeJSON(w, http.StatusServiceUnavailable, starting)
		default:
			writeJSON(w, http.StatusOK, ready)
		}
	}))

	started := mustJSON(map[string]string{"status": "started"})
	handle("/startupz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !probes.Started() {
			writeJSON(w, http.StatusServiceUnavailable, starting)
			return
		}
		writeJSON(w, http.StatusOK, started)
	}))

	version := mustJSON(map[string]string{"version": cfg.Version, "commit": cfg.Commit, "go": runtime.Version()})
	handle("/version", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, version)
	}))

	handle("/metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}))

	// Everything else: 405 on a known path with another method, else 404; one label.
	notFound := mustJSON(map[string]string{"error": "not found"})
	notAllowed := mustJSON(map[string]string{"error": "method not allowed"})
	mux.Handle("/", tracing.middleware(OtherRoute, metrics.Middleware(OtherRoute, accessLog(logger, OtherRoute, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if paths[r.URL.Path] {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, notAllowed)
			return
		}
		writeJSON(w, http.StatusNotFound, notFound)
	})))))
	return mux
}

// accessLog logs each request at debug level. It logs the path without the query and
// no headers: either may carry credentials. When debug is off it costs one check.
func accessLog(logger *slog.Logger, route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !logger.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("route", route), slog.String("method", normalizeMethod(r.Method)),
			slog.String("path", r.URL.Path), slog.Int("code", rec.code),
			slog.Duration("took", time.Since(start)), slog.String("remote", r.RemoteAddr))
	})
}

func mustJSON(v map[string]string) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // a map of strings always encodes
	}
	return append(b, '\n')
}

func writeJSON(w http.ResponseWriter, code int, body []byte) {
	w.Header()["Content-Type"] = []string{"application/json"} // direct: skips canonicalising the key
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
