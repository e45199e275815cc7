package service

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"goship/app/internal/otlptest"
)

func TestTracingConfigFromEnv(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
		want TracingConfig
	}{
		{"off without an endpoint", nil, TracingConfig{ServiceName: "goship", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"base endpoint gets /v1/traces", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.observability:4318/"},
			TracingConfig{Endpoint: "http://otel-collector.observability:4318/v1/traces", ServiceName: "goship", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"traces endpoint is used as is and wins", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://b/otlp/traces"},
			TracingConfig{Endpoint: "https://b/otlp/traces", ServiceName: "goship", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"ratio sampler and service name", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
			"OTEL_TRACES_SAMPLER_ARG": "0.25", "OTEL_SERVICE_NAME": "shop", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"},
			TracingConfig{Endpoint: "http://a:4318/v1/traces", ServiceName: "shop", Sampler: "parentbased_traceidratio", SamplerArg: 0.25}},
		{"OTEL_SDK_DISABLED turns it off", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_SDK_DISABLED": "TRUE"},
			TracingConfig{ServiceName: "goship", Sampler: "parentbased_always_on", SamplerArg: 1}},
		{"OTEL_TRACES_EXPORTER=none turns it off", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_TRACES_EXPORTER": "none"},
			TracingConfig{ServiceName: "goship", Sampler: "parentbased_always_on", SamplerArg: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(env(tc.vars), "v", "c")
			if err != nil {
				t.Fatal(err)
			}
			if c.Tracing != tc.want {
				t.Fatalf("got %+v, want %+v", c.Tracing, tc.want)
			}
		})
	}
	t.Run("a bad ratio names the variable", func(t *testing.T) {
		_, err := LoadConfig(env(map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"}), "v", "c")
		if err == nil || !strings.Contains(err.Error(), `OTEL_TRACES_SAMPLER_ARG="2" is invalid: want a ratio in 0..1 for traceidratio`) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("the start-up log shows the endpoint without credentials", func(t *testing.T) {
		c, err := LoadConfig(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://user:pa55@collector:4318?key=k3y"}), "v", "c")
		if err != nil {
			t.Fatal(err)
		}
		if s := c.String(); strings.Contains(s, "pa55") || strings.Contains(s, "k3y") || !strings.Contains(s, "https://collector:4318/v1/traces") {
			t.Fatalf("config logs as %s", s)
		}
	})
}

// tracedServer runs a Server with tracing to a real OTLP/HTTP receiver on 127.0.0.1.
func tracedServer(t *testing.T, vars map[string]string) (*running, *Tracing) {
	t.Helper()
	cfg, err := LoadConfig(env(vars), testVersion, "c0ffee")
	if err != nil {
		t.Fatal(err)
	}
	tracing, err := NewTracing(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	logger := slog.New(TraceLogHandler{slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: cfg.LogLevel})})
	srv, err := New(cfg, logger, NewRegistry(), WithTracing(tracing))
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, srv, logs), tracing
}

func get(t *testing.T, url string, header http.Header) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode
}

// Spans reach a real receiver with the route, the status code and the version; the
// caller's W3C trace context is continued; the access log line carries the ids; and the
// shutdown flushes them (the batch timeout, 5s, is far longer than this test waits).
func TestTracedRequestsReachTheCollector(t *testing.T) {
	rcv, err := otlptest.Start(true)
	if err != nil {
		t.Fatal(err)
	}
	defer rcv.Close()
	r, _ := tracedServer(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.URL, "LOG_LEVEL": "debug",
		"DRAIN_DELAY": "0s", "SHUTDOWN_TIMEOUT": "2s"})
	const parentTrace, parentSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	if code := get(t, r.base+"/", http.Header{"Traceparent": {"00-" + parentTrace + "-" + parentSpan + "-01"}}); code != 200 {
		t.Fatalf("GET / = %d", code)
	}
	if code := get(t, r.base+"/nope", nil); code != 404 {
		t.Fatalf("GET /nope = %d", code)
	}
	if spans, _ := rcv.Count(); spans != 0 {
		t.Fatalf("%d spans exported before shutdown: the test would not prove the flush", spans)
	}
	stopped := time.Now()
	r.cancel(errors.New("test shutdown"))
	if err := r.wait(); err != nil {
		t.Fatal(err)
	}
	t.Logf("shutdown with flush took %v", time.Since(stopped).Round(time.Millisecond))

	byName := map[string]otlptest.Span{}
	for _, s := range rcv.Spans() {
		byName[s.Name] = s
	}
	root, ok := byName["GET /"]
	if !ok {
		t.Fatalf("no span named \"GET /\" among %v", rcv.Spans())
	}
	checks := map[string][2]any{
		"http.route":                {root.Attrs["http.route"], "/"},
		"http.response.status_code": {root.Attrs["http.response.status_code"], int64(200)},
		"service.version":           {root.Resource["service.version"], testVersion},
		"service.name":              {root.Resource["service.name"], "goship"},
		"trace id (W3C parent)":     {root.TraceID, parentTrace},
		"parent span id":            {root.ParentSpanID, parentSpan},
		"kind":                      {root.Kind, "SPAN_KIND_SERVER"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %v, want %v", what, c[0], c[1])
		}
	}
	other, ok := byName["GET"]
	if !ok || other.Attrs["http.response.status_code"] != int64(404) || other.Attrs["http.route"] != nil {
		t.Errorf("unmatched path: span %+v, want \"GET\" with status 404 and no http.route", other)
	}

	var logged bool
	for _, line := range strings.Split(r.logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "request" || rec["route"] != "/" {
			continue
		}
		logged = true
		if rec["trace_id"] != root.TraceID || rec["span_id"] != root.SpanID {
			t.Errorf("access log %v: want trace_id %s and span_id %s", rec, root.TraceID, root.SpanID)
		}
	}
	if !logged {
		t.Fatalf("no access log line for /:\n%s", r.logs)
	}
}

// With a collector that accepts connections and never answers, the flush gives up at
// SHUTDOWN_TIMEOUT: lost spans never hold the pod past its budget, nor fail its exit.
func TestShutdownWithCollectorHungKeepsTheBudget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never read, until the test ends
		}
	}()
	r, _ := tracedServer(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + ln.Addr().String(), "DRAIN_DELAY": "0s", "SHUTDOWN_TIMEOUT": "300ms"})
	get(t, r.base+"/", nil)
	stopped := time.Now()
	r.cancel(errors.New("test shutdown"))
	if err := r.wait(); err != nil {
		t.Fatalf("Run: %v, want a clean exit", err)
	}
	if took := time.Since(stopped); took > time.Second {
		t.Fatalf("shutdown took %v with SHUTDOWN_TIMEOUT=300ms", took)
	}
	if !strings.Contains(r.logs.String(), "shutdown: spans not flushed") {
		t.Fatalf("the lost spans were not logged:\n%s", r.logs)
	}
}

// Off (no endpoint) nothing is traced: no tracer, no ids in logs, even for a request
// that brings a traceparent.
func TestTracingOffByDefault(t *testing.T) {
	cfg, err := LoadConfig(env(nil), "v", "c")
	if err != nil {
		t.Fatal(err)
	}
	if tr, err := NewTracing(context.Background(), cfg); tr != nil || err != nil {
		t.Fatalf("NewTracing = %v, %v; want nil, nil", tr, err)
	}
	logs := &lockedBuffer{}
	logger := slog.New(TraceLogHandler{slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})})
	reg := NewRegistry()
	m, _ := NewMetrics(reg, "v")
	h := newHandler(cfg, &Probes{}, reg, m, logger, nil)
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(&discardWriter{header: http.Header{}}, req)
	if !strings.Contains(logs.String(), `"msg":"request"`) || strings.Contains(logs.String(), "trace_id") {
		t.Fatalf("logs: %s", logs)
	}
}
