package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a log sink that goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// messages lists the "msg" field of every JSON log line, in order.
func (l *lockedBuffer) messages() []string {
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		var rec struct{ Msg string }
		if json.Unmarshal([]byte(line), &rec) == nil {
			msgs = append(msgs, rec.Msg)
		}
	}
	return msgs
}

type running struct {
	base     string
	probes   *Probes
	logs     *lockedBuffer
	cancel   context.CancelCauseFunc
	finished chan struct{} // closed when Run returns
	err      error         // Run's result, once finished is closed
}

func (r *running) wait() error {
	<-r.finished
	return r.err
}

// startServer runs a Server on 127.0.0.1 with a free port.
func startServer(t *testing.T, vars map[string]string) *running {
	t.Helper()
	cfg, err := LoadConfig(env(vars), testVersion, "c")
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	srv, err := New(cfg, slog.New(slog.NewJSONHandler(logs, nil)), NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, srv, logs)
}

// serve runs srv on 127.0.0.1 with a free port until the test ends, and waits until it has started.
func serve(t *testing.T, srv *Server, logs *lockedBuffer) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	r := &running{base: "http://" + ln.Addr().String(), probes: srv.Probes(), logs: logs, cancel: cancel, finished: make(chan struct{})}
	go func() {
		r.err = srv.Run(ctx, ln)
		close(r.finished)
	}()
	t.Cleanup(func() {
		cancel(errors.New("test over"))
		select {
		case <-r.finished:
		case <-time.After(10 * time.Second):
			t.Error("server still running 10s after the test")
		}
	})
	for deadline := time.Now().Add(5 * time.Second); !srv.Probes().Started(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("server did not start")
		}
	}
	return r
}

// status GETs url and returns the status and whether the server asked to close the
// connection (the client turns "Connection: close" into Response.Close).
func status(t *testing.T, client *http.Client, url string) (int, bool) {
	t.Helper()
	res, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode, res.Close
}

// The shutdown sequence, in order: readiness fails at once while requests are still
// served (telling keep-alive clients to reconnect), a request in flight when Shutdown
// starts completes, Run returns nil, and each phase is logged.
func TestRunShutdownSequence(t *testing.T) {
	const drain = 300 * time.Millisecond
	s := startServer(t, map[string]string{"DRAIN_DELAY": drain.String(), "SHUTDOWN_TIMEOUT": "3s", "FAULT_LATENCY": "250ms"})
	client := &http.Client{Timeout: 5 * time.Second}
	if code, closing := status(t, client, s.base+"/readyz"); code != 200 || closing {
		t.Fatalf("before shutdown: readyz %d, Connection: close %v; want 200 and keep-alive", code, closing)
	}

	s.cancel(errors.New("received terminated"))
	cancelled := time.Now()
	for !s.probes.Draining() {
		if time.Since(cancelled) > 100*time.Millisecond {
			t.Fatal("readiness did not flip within 100ms")
		}
		time.Sleep(100 * time.Microsecond)
	}
	if code, _ := status(t, client, s.base+"/readyz"); code != 503 {
		t.Fatalf("readyz %d while draining, want 503", code)
	}
	if code, closing := status(t, client, s.base+"/healthz"); code != 200 || !closing {
		t.Fatalf("while draining: healthz %d, Connection: close %v; want 200 and close", code, closing)
	}

	// Started 100ms before Shutdown, taking 250ms: in flight when Shutdown begins.
	time.Sleep(drain - 100*time.Millisecond - time.Since(cancelled))
	slow := make(chan int, 1)
	go func() {
		res, err := client.Get(s.base + "/")
		if err != nil {
			t.Errorf("in-flight request: %v", err)
			slow <- 0
			return
		}
		_ = res.Body.Close()
		slow <- res.StatusCode
	}()
	if err := s.wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if code := <-slow; code != 200 {
		t.Fatalf("in-flight request ended with %d, want 200", code)
	}
	if took := time.Since(cancelled); took < drain {
		t.Fatalf("Run returned %v after cancel, before the %v drain", took, drain)
	}
	if _, err := client.Get(s.base + "/healthz"); err == nil {
		t.Fatal("still serving after Run returned")
	}
	want := []string{"listening", "shutdown: readiness now failing, draining",
		"shutdown: closing listener, waiting for in-flight requests", "shutdown: complete"}
	if got := s.logs.messages(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("log phases %q, want %q", got, want)
	}
	if !strings.Contains(s.logs.String(), `"cause":"received terminated"`) {
		t.Fatalf("the drain log should name its cause: %s", s.logs)
	}
}

// Requests that outlive SHUTDOWN_TIMEOUT are cut and Run reports it.
func TestRunShutdownTimeout(t *testing.T) {
	s := startServer(t, map[string]string{"DRAIN_DELAY": "0s", "SHUTDOWN_TIMEOUT": "100ms", "FAULT_LATENCY": "5s"})
	client := &http.Client{Timeout: 10 * time.Second}
	failed := make(chan error, 1)
	go func() {
		res, err := client.Get(s.base + "/")
		if err == nil {
			_ = res.Body.Close()
		}
		failed <- err
	}()
	time.Sleep(100 * time.Millisecond) // in flight
	s.cancel(errors.New("received terminated"))
	err := s.wait()
	if err == nil || !strings.Contains(err.Error(), "SHUTDOWN_TIMEOUT=100ms") {
		t.Fatalf("Run: %v, want a shutdown timeout error", err)
	}
	if err := <-failed; err == nil {
		t.Fatal("the cut request should have failed")
	}
	if !strings.Contains(s.logs.String(), "shutdown: timed out") {
		t.Fatalf("logs lack the timeout: %s", s.logs)
	}
}
