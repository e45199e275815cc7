package service

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const testVersion = "1.4.0"

type fixture struct {
	handler http.Handler
	probes  *Probes
	reg     *prometheus.Registry
}

// newFixture builds the handler chain for vars; the probes report "started".
func newFixture(t *testing.T, vars map[string]string) fixture {
	t.Helper()
	probes := &Probes{}
	probes.MarkStarted()
	return newFixtureWithProbes(t, vars, probes)
}

func newFixtureWithProbes(t *testing.T, vars map[string]string, probes *Probes) fixture {
	t.Helper()
	cfg, err := LoadConfig(env(vars), testVersion, "abc123")
	if err != nil {
		t.Fatal(err)
	}
	reg := NewRegistry()
	m, err := NewMetrics(reg, cfg.Version)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHandler(cfg, probes, reg, m, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	return fixture{h, probes, reg}
}

func (f fixture) do(method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestEndpoints(t *testing.T) {
	f := newFixture(t, map[string]string{"GREETING": "bonjour"})
	cases := []struct {
		name, method, path string
		code               int
		body               map[string]string // fields that must be present with these values
	}{
		{"greeting", "GET", "/", 200, map[string]string{"message": "bonjour", "version": testVersion}},
		{"greeting with a query", "GET", "/?lang=fr", 200, map[string]string{"message": "bonjour"}},
		{"liveness", "GET", "/healthz", 200, map[string]string{"status": "ok"}},
		{"readiness", "GET", "/readyz", 200, map[string]string{"status": "ready"}},
		{"startup", "GET", "/startupz", 200, map[string]string{"status": "started"}},
		{"version", "GET", "/version", 200, map[string]string{"version": testVersion, "commit": "abc123", "go": runtime.Version()}},
		{"HEAD like GET", "HEAD", "/healthz", 200, nil},
		{"unknown path", "GET", "/nope", 404, map[string]string{"error": "not found"}},
		{"subpath of /", "GET", "/healthz/x", 404, map[string]string{"error": "not found"}},
		{"wrong method", "POST", "/", 405, map[string]string{"error": "method not allowed"}},
		{"wrong method on a probe", "DELETE", "/readyz", 405, map[string]string{"error": "method not allowed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := f.do(tc.method, tc.path)
			if res.Code != tc.code {
				t.Fatalf("status %d, want %d (body %s)", res.Code, tc.code, res.Body)
			}
			if ct := res.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			if tc.code == 405 && res.Header().Get("Allow") != "GET, HEAD" {
				t.Fatalf("Allow %q", res.Header().Get("Allow"))
			}
			if tc.body == nil {
				return
			}
			var body map[string]string
			if err := json.Unmarshal(res.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", res.Body, err)
			}
			for k, v := range tc.body {
				if body[k] != v {
					t.Fatalf("%s = %q, want %q (body %v)", k, body[k], v, body)
				}
			}
		})
	}
	t.Run("metrics", func(t *testing.T) {
		res := f.do("GET", "/metrics")
		if res.Code != 200 || !strings.HasPrefix(res.Header().Get("Content-Type"), "text/plain") {
			t.Fatalf("status %d, Content-Type %q", res.Code, res.Header().Get("Content-Type"))
		}
		for _, want := range []string{"go_goroutines ", "process_cpu_seconds_total ", "process_resident_memory_bytes ",
			`http_requests_total{code="200",method="GET",route="/",version="1.4.0"} 2`,
			`http_request_duration_seconds_bucket{route="/version",version="1.4.0",le="0.001"}`} {
			if !strings.Contains(res.Body.String(), want) {
				t.Fatalf("scrape lacks %q:\n%s", want, res.Body)
			}
		}
	})
}

func TestProbesFollowTheLifecycle(t *testing.T) {
	cases := []struct {
		name                      string
		started, draining         bool
		healthz, readyz, startupz int
		readyStatus               string
	}{
		{"starting", false, false, 200, 503, 503, "starting"},
		{"serving", true, false, 200, 200, 200, "ready"},
		{"draining", true, true, 200, 503, 200, "draining"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixtureWithProbes(t, nil, &Probes{})
			if tc.started {
				f.probes.MarkStarted()
			}
			if tc.draining {
				f.probes.MarkDraining()
			}
			for path, want := range map[string]int{"/healthz": tc.healthz, "/readyz": tc.readyz, "/startupz": tc.startupz} {
				if got := f.do("GET", path).Code; got != want {
					t.Errorf("%s = %d, want %d", path, got, want)
				}
			}
			if body := f.do("GET", "/readyz").Body.String(); !strings.Contains(body, `"status":"`+tc.readyStatus+`"`) {
				t.Errorf("readyz body %s, want status %s", body, tc.readyStatus)
			}
		})
	}
}

func TestMetricsLabels(t *testing.T) {
	f := newFixture(t, nil)
	for range 3 {
		f.do("GET", "/")
	}
	f.do("HEAD", "/")
	f.do("GET", "/healthz")
	f.do("GET", "/random/path/1")
	f.do("GET", "/random/path/2")
	f.do("POST", "/version")
	f.do("BREW", "/") // an arbitrary method token must not become a label value
	f.probes.MarkDraining()
	f.do("GET", "/readyz")

	expected := `
# HELP http_requests_total HTTP requests by status code, method, route pattern and app version.
# TYPE http_requests_total counter
http_requests_total{code="200",method="GET",route="/",version="1.4.0"} 3
http_requests_total{code="200",method="HEAD",route="/",version="1.4.0"} 1
http_requests_total{code="200",method="GET",route="/healthz",version="1.4.0"} 1
http_requests_total{code="503",method="GET",route="/readyz",version="1.4.0"} 1
http_requests_total{code="404",method="GET",route="other",version="1.4.0"} 2
http_requests_total{code="405",method="POST",route="other",version="1.4.0"} 1
http_requests_total{code="405",method="OTHER",route="other",version="1.4.0"} 1
`
	if err := testutil.GatherAndCompare(f.reg, strings.NewReader(expected), "http_requests_total"); err != nil {
		t.Fatal(err)
	}
	info := `
# HELP goship_build_info Always 1; the version label is the app version of this instance.
# TYPE goship_build_info gauge
goship_build_info{version="1.4.0"} 1
`
	if err := testutil.GatherAndCompare(f.reg, strings.NewReader(info), "goship_build_info"); err != nil {
		t.Fatal(err)
	}

	// The histogram: one series per named route (resolved up front, so idle routes show
	// a zero count) and one for "other", each with the version label.
	counts := map[string]uint64{}
	families, err := f.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range families {
		if mf.GetName() != "http_request_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["version"] != testVersion || len(labels) != 2 {
				t.Fatalf("histogram labels %v, want route and version=%s", labels, testVersion)
			}
			counts[labels["route"]] = m.GetHistogram().GetSampleCount()
		}
	}
	want := map[string]uint64{"/": 4, "/healthz": 1, "/readyz": 1, "/startupz": 0, "/version": 0, "/metrics": 0, "other": 4}
	for route, n := range want {
		if counts[route] != n {
			t.Errorf("histogram count for route %q = %d, want %d (all: %v)", route, counts[route], n, counts)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("histogram routes %v, want exactly %v", counts, want)
	}
}

func TestNewMetricsRefusesADoubleRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := NewMetrics(reg, "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewMetrics(reg, "v"); err == nil || !strings.Contains(err.Error(), "register metrics") {
		t.Fatalf("want a registration error, got %v", err)
	}
}

func TestFaultInjection(t *testing.T) {
	count500 := func(f fixture, path string, n int) int {
		failed := 0
		for range n {
			switch code := f.do("GET", path).Code; code {
			case 500:
				failed++
			case 200:
			default:
				t.Fatalf("status %d", code)
			}
		}
		return failed
	}
	cases := []struct {
		name     string
		rate     string
		min, max int // of 1000 requests to /
	}{
		{"off by default", "", 0, 0},
		{"rate 0", "0", 0, 0},
		{"rate 1 fails every request", "1", 1000, 1000},
		{"rate 0.3 fails about 300", "0.3", 230, 370}, // ±5 standard deviations
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, map[string]string{"FAULT_ERROR_RATE": tc.rate})
			if n := count500(f, "/", 1000); n < tc.min || n > tc.max {
				t.Fatalf("%d of 1000 failed, want %d..%d", n, tc.min, tc.max)
			}
			for _, p := range []string{"/healthz", "/readyz", "/version"} {
				if n := count500(f, p, 50); n != 0 {
					t.Fatalf("%s: %d injected failures, want none (faults apply to / only)", p, n)
				}
			}
		})
	}
	t.Run("injected errors are counted as 500", func(t *testing.T) {
		f := newFixture(t, map[string]string{"FAULT_ERROR_RATE": "1"})
		res := f.do("GET", "/")
		if !strings.Contains(res.Body.String(), `"error":"injected fault"`) {
			t.Fatalf("body %s", res.Body)
		}
		expected := `
# HELP http_requests_total HTTP requests by status code, method, route pattern and app version.
# TYPE http_requests_total counter
http_requests_total{code="500",method="GET",route="/",version="1.4.0"} 1
`
		if err := testutil.GatherAndCompare(f.reg, strings.NewReader(expected), "http_requests_total"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("latency is added to / only", func(t *testing.T) {
		f := newFixture(t, map[string]string{"FAULT_LATENCY": "120ms"})
		for path, slow := range map[string]bool{"/": true, "/healthz": false} {
			start := time.Now()
			if code := f.do("GET", path).Code; code != 200 {
				t.Fatalf("%s: status %d", path, code)
			}
			took := time.Since(start)
			if slow && took < 120*time.Millisecond || !slow && took >= 120*time.Millisecond {
				t.Fatalf("%s took %v (added latency expected: %v)", path, took, slow)
			}
		}
	})
	t.Run("a client that leaves stops the wait", func(t *testing.T) {
		f := newFixture(t, map[string]string{"FAULT_LATENCY": "10s"})
		req := httptest.NewRequest("GET", "/", nil)
		ctx, cancel := context.WithTimeout(req.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		f.handler.ServeHTTP(httptest.NewRecorder(), req.WithContext(ctx))
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("handler waited %v after the client left", took)
		}
	})
}

// The chain's own cost per request, without sockets (go test -bench Chain -benchmem);
// bench/ measures it end to end.
func BenchmarkChain(b *testing.B) {
	body := []byte(`{"message":"hello","version":"1.4.0"}` + "\n")
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, body) })
	cfg, _ := LoadConfig(env(nil), testVersion, "c")
	reg := NewRegistry()
	m, _ := NewMetrics(reg, testVersion)
	probes := &Probes{}
	probes.MarkStarted()
	full := NewHandler(cfg, probes, reg, m, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	for name, h := range map[string]http.Handler{"bare": bare, "full": full} {
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/", nil)
			w := &discardWriter{header: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
		})
	}
}

type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
