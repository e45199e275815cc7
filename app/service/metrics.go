package service

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics records every request by named route, labelled with the app's version so a
// canary analysis can compare the candidate with stable.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	version  string
}

// NewMetrics registers the HTTP metrics (and the Go and process collectors) on reg.
func NewMetrics(reg prometheus.Registerer, version string) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total", Help: "HTTP requests by status code, method, route and app version.",
		}, []string{"code", "method", "route", "version"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds", Help: "HTTP request latency by route and app version.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "version"}),
		version: version,
	}
	reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// Wrap instruments one named route. Label lookups are resolved once per (code, method)
// and cached, so the hot path is an atomic add and a histogram observe.
func (m *Metrics) Wrap(route string, next http.Handler) http.Handler {
	observer := m.duration.WithLabelValues(route, m.version)
	byRoute := m.requests.MustCurryWith(prometheus.Labels{"route": route, "version": m.version})
	var counters sync.Map // "code method" → prometheus.Counter
	counter := func(code int, method string) prometheus.Counter {
		key := strconv.Itoa(code) + " " + method
		if c, ok := counters.Load(key); ok {
			return c.(prometheus.Counter)
		}
		c := byRoute.WithLabelValues(strconv.Itoa(code), method)
		counters.Store(key, c)
		return c
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		observer.Observe(time.Since(start).Seconds())
		counter(rec.code, r.Method).Inc()
	})
}
