package service

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func newTestServer(t *testing.T, vars map[string]string) (*httptest.Server, *State, *prometheus.Registry) {
	t.Helper()
	cfg, err := LoadConfig(env(vars), "1.4.0", "abc123")
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	state := &State{}
	state.MarkStarted()
	h := NewHandler(cfg, state, reg, NewMetrics(reg, cfg.Version), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, state, reg
}

func get(t *testing.T, url string) (int, map[string]string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body
}

func TestEndpoints(t *testing.T) {
	srv, _, _ := newTestServer(t, map[string]string{"GREETING": "bonjour"})
	cases := []struct {
		path string
		code int
		want map[string]string
	}{
		{"/", 200, map[string]string{"message": "bonjour", "version": "1.4.0"}},
		{"/healthz", 200, map[string]string{"status": "ok"}},
		{"/readyz", 200, map[string]string{"status": "ready"}},
		{"/startupz", 200, map[string]string{"status": "started"}},
		{"/nope", 404, nil},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			code, body := get(t, srv.URL+tc.path)
			if code != tc.code {
				t.Fatalf("status %d, want %d", code, tc.code)
			}
			for k, v := range tc.want {
				if body[k] != v {
					t.Fatalf("%s: %q, want %q (body %v)", k, body[k], v, body)
				}
			}
		})
	}
	t.Run("/version", func(t *testing.T) {
		code, body := get(t, srv.URL+"/version")
		if code != 200 || body["version"] != "1.4.0" || body["commit"] != "abc123" || !strings.HasPrefix(body["go"], "go1.") {
			t.Fatalf("got %d %v", code, body)
		}
	})
	t.Run("/metrics", func(t *testing.T) {
		res, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		for _, want := range []string{"go_goroutines", "process_cpu_seconds_total", "http_requests_total", "http_request_duration_seconds_bucket"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Fatalf("metrics lack %s", want)
			}
		}
	})
}

func TestReadinessAndStartup(t *testing.T) {
	srv, state, _ := newTestServer(t, nil)
	state.MarkDraining()
	if code, _ := get(t, srv.URL+"/readyz"); code != 503 {
		t.Fatalf("draining: readyz %d, want 503", code)
	}
	if code, _ := get(t, srv.URL+"/healthz"); code != 200 {
		t.Fatalf("draining: healthz %d, want 200 (liveness must not fail during a drain)", code)
	}
	fresh := &State{}
	if fresh.Ready() {
		t.Fatal("not started yet must not be ready")
	}
}

func TestMetricsLabels(t *testing.T) {
	srv, _, reg := newTestServer(t, nil)
	for i := 0; i < 3; i++ {
		get(t, srv.URL+"/")
	}
	get(t, srv.URL+"/healthz")
	get(t, srv.URL+"/random/path")
	expected := `
# HELP http_requests_total HTTP requests by status code, method, route and app version.
# TYPE http_requests_total counter
http_requests_total{code="200",method="GET",route="/",version="1.4.0"} 3
http_requests_total{code="200",method="GET",route="/healthz",version="1.4.0"} 1
http_requests_total{code="404",method="GET",route="other",version="1.4.0"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(expected), "http_requests_total"); err != nil {
		t.Fatal(err)
	}
	// Histogram series exist per named route from the start (observers are resolved
	// once); what matters is the count recorded under each.
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for _, f := range families {
		if f.GetName() != "http_request_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["version"] != "1.4.0" {
				t.Fatalf("histogram without the version label: %v", labels)
			}
			counts[labels["route"]] = m.GetHistogram().GetSampleCount()
		}
	}
	if counts["/"] != 3 || counts["/healthz"] != 1 || counts["other"] != 1 || counts["/readyz"] != 0 {
		t.Fatalf("histogram counts by route: %v", counts)
	}
}

func TestFaultInjection(t *testing.T) {
	t.Run("error rate 1 fails every request", func(t *testing.T) {
		srv, _, _ := newTestServer(t, map[string]string{"FAULT_ERROR_RATE": "1"})
		for i := 0; i < 20; i++ {
			if code, _ := get(t, srv.URL+"/"); code != 500 {
				t.Fatalf("got %d, want 500", code)
			}
		}
		if code, _ := get(t, srv.URL+"/healthz"); code != 200 {
			t.Fatal("faults apply to / only")
		}
	})
	t.Run("error rate 0.5 fails about half", func(t *testing.T) {
		srv, _, _ := newTestServer(t, map[string]string{"FAULT_ERROR_RATE": "0.5"})
		failed := 0
		for i := 0; i < 400; i++ {
			if code, _ := get(t, srv.URL+"/"); code == 500 {
				failed++
			}
		}
		if failed < 120 || failed > 280 {
			t.Fatalf("%d/400 failed, want about 200", failed)
		}
	})
	t.Run("off by default", func(t *testing.T) {
		srv, _, _ := newTestServer(t, nil)
		for i := 0; i < 50; i++ {
			if code, _ := get(t, srv.URL+"/"); code != 200 {
				t.Fatalf("got %d", code)
			}
		}
	})
	t.Run("latency is added", func(t *testing.T) {
		srv, _, _ := newTestServer(t, map[string]string{"FAULT_LATENCY": "150ms"})
		start := time.Now()
		get(t, srv.URL+"/")
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Fatalf("took %v, want ≥ 150ms", d)
		}
	})
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu chan struct{}
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.String()
}

func TestSecretNeverLogged(t *testing.T) {
	const token = "s3cr3t-T0ken-9f8e7d"
	logs := &syncBuffer{mu: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	vars := map[string]string{"API_TOKEN": token, "LOG_LEVEL": "debug", "LISTEN_HOST": "127.0.0.1", "PORT": "0", "DRAIN_DELAY": "10ms", "SHUTDOWN_TIMEOUT": "1s"}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, env(vars), logs, "1.0.0", "c") }()
	addr := waitForAddr(t, logs)
	for _, p := range []string{"/", "/healthz", "/version", "/metrics"} {
		res, err := http.Get("http://" + addr + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, `"apiTokenSet":true`) || !strings.Contains(out, `"msg":"request"`) || !strings.Contains(out, "shutdown complete") {
		t.Fatalf("expected startup, debug request and shutdown logs, got:\n%s", out)
	}
	if strings.Contains(out, token) {
		t.Fatalf("the API token appears in the logs:\n%s", out)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	err := Run(context.Background(), env(map[string]string{"PORT": "eighty"}), io.Discard, "v", "c")
	if err == nil || !strings.Contains(err.Error(), `PORT="eighty" is invalid`) {
		t.Fatalf("got %v", err)
	}
}

func waitForAddr(t *testing.T, logs *syncBuffer) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(logs.String(), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "listening" {
				return rec["addr"].(string)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("server did not log its address")
	return ""
}
