package main

// Tests of the real compiled binary, built by build.sh (the script the Dockerfile runs),
// against 127.0.0.1 only, with bounded load.

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

const testVersion = "9.9.9-test"

// binary builds the service once per test run with build.sh.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "goship-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "goship")
		cmd := exec.Command("sh", "build.sh", binPath)
		cmd.Env = append(os.Environ(), "VERSION="+testVersion, "COMMIT=feedbeef")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build.sh failed: %v", buildErr)
	}
	return binPath
}

type proc struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

// start runs the binary on 127.0.0.1 with a free port and waits for its address log line.
func start(t *testing.T, vars ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t))
	cmd.Env = append([]string{"LISTEN_HOST=127.0.0.1", "PORT=0", "LOG_LEVEL=info"}, vars...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "listening" {
				addr <- rec["addr"].(string)
			}
		}
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	select {
	case p.addr = <-addr:
	case <-time.After(10 * time.Second):
		t.Fatal("the binary did not report its address")
	}
	return p
}

func TestBinaryIsStaticSmallAndStamped(t *testing.T) {
	bin := binary(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("binary is dynamically linked (program header %v)", p.Type)
		}
	}
	info, _ := os.Stat(bin)
	t.Logf("binary size: %d bytes (%.2f MB)", info.Size(), float64(info.Size())/1e6)
	if info.Size() > 10*1000*1000 {
		t.Fatalf("binary is %d bytes, want ≤ 10 MB", info.Size())
	}
	p := start(t)
	res, err := http.Get("http://" + p.addr + "/version")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]string
	_ = json.NewDecoder(res.Body).Decode(&v)
	res.Body.Close()
	if v["version"] != testVersion || v["commit"] != "feedbeef" {
		t.Fatalf("/version = %v, want the stamped version and commit", v)
	}
}

func TestDockerfileUsesBuildScript(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []string{"sh build.sh", "ARG VERSION", "USER 65532:65532", "AS build", `ENTRYPOINT ["/goship"]`} {
		if !strings.Contains(df, want) {
			t.Fatalf("Dockerfile lacks %q", want)
		}
	}
	script, _ := os.ReadFile("build.sh")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-s -w", "-X main.version=", "-X main.commit="} {
		if !strings.Contains(string(script), want) {
			t.Fatalf("build.sh lacks %q", want)
		}
	}
}

// TestZeroDowntimeShutdown: bounded load with keep-alive connections, SIGTERM in the
// middle. No request sent before readiness turned 503 may fail.
func TestZeroDowntimeShutdown(t *testing.T) {
	const (
		total       = 6000
		concurrency = 32
		drain       = time.Second
		timeout     = 3 * time.Second
	)
	p := start(t, "DRAIN_DELAY="+drain.String(), "SHUTDOWN_TIMEOUT="+timeout.String())
	base := "http://" + p.addr
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency}}

	var notReadyAt atomic.Int64 // unix nanos when /readyz was first seen 503
	type result struct {
		sent int64
		ok   bool
	}
	results := make([]result, total)
	var next atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(20 * time.Second)
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= total || time.Now().After(deadline) {
					return
				}
				sent := time.Now().UnixNano()
				res, err := client.Get(base + "/")
				ok := err == nil && res.StatusCode == 200
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				results[i] = result{sent, ok}
				time.Sleep(5 * time.Millisecond) // pace the load so SIGTERM lands mid-run
			}
		}()
	}
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		poller := &http.Client{Timeout: time.Second}
		for time.Now().Before(deadline) {
			res, err := poller.Get(base + "/readyz")
			if err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusServiceUnavailable {
					notReadyAt.Store(time.Now().UnixNano())
					return
				}
			}
			time.Sleep(time.Millisecond)
		}
	}()

	for next.Load() < total/3 {
		time.Sleep(time.Millisecond)
	}
	signalAt := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-pollDone
	var exitErr error
	var exitAfter time.Duration
	select {
	case exitErr = <-p.done:
		exitAfter = time.Since(signalAt)
	case <-time.After(drain + timeout + 2*time.Second):
		t.Fatal("process did not exit within DRAIN_DELAY + SHUTDOWN_TIMEOUT")
	}
	wg.Wait()

	if notReadyAt.Load() == 0 {
		t.Fatal("readiness never turned 503")
	}
	flip := time.Duration(notReadyAt.Load() - signalAt.UnixNano())
	var sent, beforeFlip, failedBeforeFlip, failedAfter int
	for _, r := range results {
		if r.sent == 0 {
			continue
		}
		sent++
		if r.sent < notReadyAt.Load() {
			beforeFlip++
			if !r.ok {
				failedBeforeFlip++
			}
		} else if !r.ok {
			failedAfter++
		}
	}
	t.Logf("requests sent %d (concurrency %d); before readiness 503: %d, failed among them: %d; failed after: %d", sent, concurrency, beforeFlip, failedBeforeFlip, failedAfter)
	t.Logf("readiness 503 after %.1f ms; exit after %.0f ms (drain %v + timeout %v)", float64(flip.Microseconds())/1000, float64(exitAfter.Milliseconds()), drain, timeout)
	if sent < 5000 {
		t.Fatalf("only %d requests sent, want ≥ 5000", sent)
	}
	if failedBeforeFlip != 0 {
		t.Fatalf("%d requests sent before readiness turned 503 failed", failedBeforeFlip)
	}
	if flip > 100*time.Millisecond {
		t.Fatalf("readiness turned 503 %v after SIGTERM, want ≤ 100ms", flip)
	}
	if exitErr != nil {
		t.Fatalf("exit: %v, want 0", exitErr)
	}
	if exitAfter > drain+timeout {
		t.Fatalf("exited after %v, want ≤ %v", exitAfter, drain+timeout)
	}
}

// TestInFlightSlowRequestsComplete: requests still running when Shutdown starts finish.
func TestInFlightSlowRequestsComplete(t *testing.T) {
	p := start(t, "FAULT_LATENCY=1500ms", "DRAIN_DELAY=200ms", "SHUTDOWN_TIMEOUT=4s")
	const n = 10
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res, err := http.Get("http://" + p.addr + "/")
			if err != nil {
				t.Errorf("slow request %d: %v", i, err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			codes[i] = res.StatusCode
		}(i)
	}
	time.Sleep(100 * time.Millisecond) // all in flight
	signalAt := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	wg.Wait()
	if err := <-p.done; err != nil {
		t.Fatalf("exit: %v", err)
	}
	for i, c := range codes {
		if c != 200 {
			t.Fatalf("slow request %d: status %d, want 200", i, c)
		}
	}
	t.Logf("%d in-flight 1.5 s requests completed; exit %.0f ms after SIGTERM", n, float64(time.Since(signalAt).Milliseconds()))
}

func TestSecondSignalForcesExit(t *testing.T) {
	p := start(t, "DRAIN_DELAY=30s", "SHUTDOWN_TIMEOUT=30s")
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(100 * time.Millisecond)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err == nil {
			t.Fatal("a forced exit must be non-zero")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("second signal did not force an exit")
	}
}

func TestBadConfigExitsWithMessage(t *testing.T) {
	cmd := exec.Command(binary(t))
	cmd.Env = []string{"PORT=eighty", "API_TOKEN=tok-should-not-print"}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("want a non-zero exit")
	}
	if !strings.Contains(string(out), `PORT="eighty" is invalid`) || strings.Contains(string(out), "tok-should-not-print") {
		t.Fatalf("output: %s", out)
	}
}
