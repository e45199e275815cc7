package service

import (
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// NewRegistry is the service's private registry: the Go runtime and process collectors,
// and nothing registered behind its back (unlike the global default registry).
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Metrics records every request by named route. Each series carries the app's version,
// so a canary analysis can compare the candidate with stable by that label.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	version  string
}

// NewMetrics registers http_requests_total, http_request_duration_seconds and
// goship_build_info (1, labelled with the version: one series per live instance, so a
// dashboard counts the live pods of each version) on reg.
func NewMetrics(reg prometheus.Registerer, version string) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests by status code, method, route pattern and app version.",
		}, []string{"code", "method", "route", "version"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds",
			Help: "HTTP request latency by route pattern and app version.",
			// Finer than the defaults at the low end, where a healthy "/" lives.
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "version"}),
		version: version,
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "goship_build_info",
		Help:        "Always 1; the version label is the app version of this instance.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	info.Set(1)
	for _, c := range []prometheus.Collector{m.requests, m.duration, info} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

// Middleware instruments one named route; route is the label value (the pattern, never
// the raw path, so the series count stays bounded).
func (m *Metrics) Middleware(route string, next http.Handler) http.Handler {
	rm := &routeMetrics{
		duration: m.duration.WithLabelValues(route, m.version),
		requests: m.requests.MustCurryWith(prometheus.Labels{"route": route, "version": m.version}),
	}
	rm.counters.Store(&map[counterKey]prometheus.Counter{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		rm.duration.Observe(time.Since(start).Seconds())
		rm.counter(rec.code, r.Method).Inc()
	})
}

type counterKey struct {
	code   int
	method string
}

// routeMetrics caches resolved series: WithLabelValues hashes its labels and takes a
// lock on every call, so each (code, method) pair is resolved once and then read from a
// copy-on-write map with a single atomic load.
type routeMetrics struct {
	duration prometheus.Observer
	requests *prometheus.CounterVec // curried with route and version
	counters atomic.Pointer[map[counterKey]prometheus.Counter]
	mu       sync.Mutex // serialises the rare copy-on-write
}

func (rm *routeMetrics) counter(code int, method string) prometheus.Counter {
	key := counterKey{code, normalizeMethod(method)}
	if c, ok := (*rm.counters.Load())[key]; ok {
		return c
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	old := *rm.counters.Load()
	if c, ok := old[key]; ok {
		return c
	}
	c := rm.requests.WithLabelValues(strconv.Itoa(key.code), key.method)
	next := maps.Clone(old)
	next[key] = c
	rm.counters.Store(&next)
	return c
}

// normalizeMethod bounds the method label: a client may send any token as a method.
func normalizeMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// statusRecorder remembers the status code a handler sent (200 if it only wrote a body).
type statusRecorder struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader && code >= 200 { // 1xx responses are not the final status
		r.code, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush, deadlines and Hijack underneath.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
