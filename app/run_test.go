package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// syncBuffer is an output stream that goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logRecords parses every JSON log line written so far.
func logRecords(s string) []map[string]any {
	var recs []map[string]any
	for _, line := range strings.Split(s, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil {
			recs = append(recs, rec)
		}
	}
	return recs
}

// waitForAddr returns the address from the "listening" log line.
func waitForAddr(t *testing.T, stdout *syncBuffer, finished <-chan error) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		for _, rec := range logRecords(stdout.String()) {
			if rec["msg"] == "listening" {
				return rec["addr"].(string)
			}
		}
		select {
		case err := <-finished:
			t.Fatalf("run returned before listening: %v\n%s", err, stdout)
		case <-deadline:
			t.Fatalf("no listening line within 10s:\n%s", stdout)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// The whole lifecycle at debug level, with the token offered everywhere a careless log
// could pick it up: the config dump, request logs (query string, Authorization header),
// error responses and the shutdown. It must appear nowhere in stdout or stderr.
func TestSecretNeverLogged(t *testing.T) {
	const token = "s3cr3t-T0ken-9f8e7d6c"
	vars := map[string]string{"API_TOKEN": token, "LOG_LEVEL": "debug", "BIND_ADDR": "127.0.0.1:0",
		"DRAIN_DELAY": "50ms", "SHUTDOWN_TIMEOUT": "2s", "FAULT_ERROR_RATE": "0.5", "GREETING": "hi"}
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	finished := make(chan error, 1)
	go func() { finished <- run(ctx, []string{"goship"}, env(vars), &stdout, &stderr) }()
	addr := waitForAddr(t, &stdout, finished)

	client := &http.Client{Timeout: 5 * time.Second}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/?token=" + token}, {"GET", "/healthz"}, {"GET", "/readyz"}, {"GET", "/startupz"},
		{"GET", "/version"}, {"GET", "/metrics"}, {"GET", "/nope"}, {"POST", "/"},
	} {
		req, _ := http.NewRequest(tc.method, "http://"+addr+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
	}
	cancel(errors.New("received terminated"))
	if err := <-finished; err != nil {
		t.Fatalf("run: %v", err)
	}

	out := stdout.String() + stderr.String()
	if strings.Contains(out, token) {
		t.Fatalf("the API token appears in the output:\n%s", out)
	}
	// The test means something only if the lifecycle was logged in full.
	counts := map[string]int{}
	for _, rec := range logRecords(stdout.String()) {
		counts[rec["msg"].(string)]++
		if rec["msg"] == "starting" && rec["config"].(map[string]any)["apiTokenSet"] != true {
			t.Fatalf("the config log should say the token is set: %v", rec)
		}
	}
	for msg, n := range map[string]int{"starting": 1, "listening": 1, "request": 9, "shutdown: readiness now failing, draining": 1,
		"shutdown: closing listener, waiting for in-flight requests": 1, "shutdown: complete": 1} {
		if counts[msg] != n {
			t.Errorf("%d %q log lines, want %d:\n%s", counts[msg], msg, n, out)
		}
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	const token = "tok-never-in-errors"
	cases := []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{"bad config", []string{"goship"}, map[string]string{"PORT": "eighty", "API_TOKEN": token}, `PORT="eighty" is invalid: want an integer in 1..65535`},
		{"several problems", []string{"goship"}, map[string]string{"LOG_LEVEL": "loud", "FAULT_LATENCY": "x", "API_TOKEN": token},
			`FAULT_LATENCY="x" is invalid: want a Go duration such as 200ms` + "\n" + `LOG_LEVEL="loud" is invalid: want one of debug, info, warn, error`},
		{"unknown flag", []string{"goship", "-port=1"}, nil, "flag provided but not defined: -port"},
		{"arguments", []string{"goship", "serve"}, nil, `unexpected arguments ["serve"]`},
		{"unusable address", []string{"goship"}, map[string]string{"BIND_ADDR": "256.0.0.1:0"}, "listen on 256.0.0.1:0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			err := run(context.Background(), tc.args, env(tc.vars), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error()+stdout.String()+stderr.String(), token) {
				t.Fatal("the token was printed")
			}
		})
	}
}

func TestRunVersionFlag(t *testing.T) {
	var stdout, stderr syncBuffer
	if err := run(context.Background(), []string{"goship", "-version"}, env(nil), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(stdout.String()), &v); err != nil || v["version"] != version || v["commit"] != commit || !strings.HasPrefix(v["go"], "go1.") {
		t.Fatalf("-version printed %q (%v)", stdout.String(), err)
	}
}
