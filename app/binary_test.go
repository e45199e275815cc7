package main

// Tests of the real compiled binary, built with the Dockerfile's own `go build` line
// (parsed from the Dockerfile, so the test and the image cannot drift). Every process
// listens on 127.0.0.1 only; every load is bounded in count and time.

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"goship/app/internal/otlptest"
)

const (
	stampedVersion = "9.9.9-test"
	stampedCommit  = "feedbeef"
	// Every process gets this token; its cleanup asserts it never reached stdout or stderr.
	binaryToken = "bin-T0ken-5b4a3c2d"
)

// dockerfileBuildLine is the Dockerfile's `RUN CGO_ENABLED=0 go build ... -o /out/goship .`.
func dockerfileBuildLine(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "RUN CGO_ENABLED=0 go build ") {
			return strings.TrimPrefix(line, "RUN ")
		}
	}
	t.Fatal("the Dockerfile has no `RUN CGO_ENABLED=0 go build` line")
	return ""
}

// shellWords splits a command line the way sh would for the plain subset the build line
// uses: spaces, double quotes, and ${NAME} from vars (anything else is refused, so a
// Dockerfile edit this parser does not understand fails loudly instead of drifting).
func shellWords(line string, vars map[string]string) ([]string, error) {
	if regexp.MustCompile("['\\\\`]|\\$[^{]").MatchString(line) {
		return nil, fmt.Errorf("unsupported shell syntax in %q", line)
	}
	var missing []string
	expanded := os.Expand(line, func(name string) string {
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("unknown variables %v in %q", missing, line)
	}
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range expanded {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		return nil, fmt.Errorf("unbalanced quotes in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// buildLikeDockerfile runs the Dockerfile's build line with the output redirected to out.
func buildLikeDockerfile(t *testing.T, version, commit, out string) {
	t.Helper()
	words, err := shellWords(dockerfileBuildLine(t), map[string]string{"VERSION": version, "COMMIT": commit})
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	for len(words) > 0 && regexp.MustCompile(`^[A-Z_]+=`).MatchString(words[0]) {
		env, words = append(env, words[0]), words[1:]
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "build" {
		t.Fatalf("not a go build line: %q", words)
	}
	args := words[1:]
	for i := range args {
		if args[i] == "-o" && i+1 < len(args) {
			args[i+1] = out
		}
	}
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), env...)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, output)
	}
}

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "goship")
	start := time.Now()
	buildLikeDockerfile(t, stampedVersion, stampedCommit, bin)
	t.Logf("built with the Dockerfile's go build line in %v", time.Since(start).Round(time.Millisecond))

	t.Run("static, small and stamped", func(t *testing.T) { testStaticSmallStamped(t, bin) })
	t.Run("build.sh builds the same bytes", func(t *testing.T) { testBuildScript(t, bin) })
	t.Run("zero-downtime shutdown", func(t *testing.T) { testZeroDowntime(t, bin) })
	t.Run("zero-downtime shutdown with tracing on", func(t *testing.T) { testZeroDowntimeTraced(t, bin) })
	t.Run("signals", func(t *testing.T) { testSignals(t, bin) })
	t.Run("bad config exits 1 naming the variable", func(t *testing.T) { testBadConfig(t, bin) })
}

func testStaticSmallStamped(t *testing.T, bin string) {
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("dynamically linked: program header %v", p.Type)
		}
	}
	if f.Section(".dynamic") != nil || f.Section(".interp") != nil {
		t.Fatal("dynamically linked: has a .dynamic or .interp section")
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("imports shared libraries %v", libs)
	}
	if f.Section(".symtab") != nil || f.Section(".debug_info") != nil {
		t.Fatal("not stripped: -s -w missing")
	}
	info, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("binary size: %d bytes (%.2f MB), statically linked, stripped", info.Size(), float64(info.Size())/1e6)
	// 8.9 MB before tracing; the official OTLP/HTTP exporter links the generated OTLP
	// collector package, which brings gRPC with it (~17 MB). The image stays under 20 MB.
	if info.Size() > 18_000_000 {
		t.Fatalf("binary is %d bytes, want ≤ 18 MB", info.Size())
	}

	p := startBinary(t, bin)
	res, err := http.Get("http://" + p.addr + "/version")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]string
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if v["version"] != stampedVersion || v["commit"] != stampedCommit || !strings.HasPrefix(v["go"], "go1.") {
		t.Fatalf("/version = %v, want version %s and commit %s", v, stampedVersion, stampedCommit)
	}
}

// build.sh runs the Dockerfile's line too; with -trimpath the build is reproducible, so
// the same inputs give the same bytes.
func testBuildScript(t *testing.T, bin string) {
	out := filepath.Join(t.TempDir(), "goship")
	cmd := exec.Command("sh", "build.sh", out)
	cmd.Env = append(os.Environ(), "VERSION="+stampedVersion, "COMMIT="+stampedCommit)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, output)
	}
	a, errA := os.ReadFile(bin)
	b, errB := os.ReadFile(out)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("build.sh's binary (%d bytes) differs from the Dockerfile line's (%d bytes)", len(b), len(a))
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	stages := regexp.MustCompile(`(?m)^FROM `).Split(df, -1)[1:]
	if len(stages) != 2 {
		t.Fatalf("want a builder and a runtime stage, got %d stages", len(stages))
	}
	build, runtime := stages[0], stages[1]
	checks := []struct {
		name string
		ok   bool
	}{
		{"builder is a golang image named build", regexp.MustCompile(`^golang:\S+ AS build\n`).MatchString(build)},
		{"ARG VERSION and ARG COMMIT before the build", regexp.MustCompile(`(?s)ARG VERSION.*ARG COMMIT.*go build`).MatchString(build)},
		{"static, trimmed, stripped, stamped build", strings.Contains(build,
			`RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}"`)},
		{"minimal runtime image", regexp.MustCompile(`^(scratch|gcr\.io/distroless/static\S*)\n`).MatchString(runtime)},
		{"numeric non-root user", regexp.MustCompile(`(?m)^USER [1-9][0-9]*(:[1-9][0-9]*)?$`).MatchString(runtime)},
		{"exposes the default port", regexp.MustCompile(`(?m)^EXPOSE 8080$`).MatchString(runtime)},
		{"exec-form entrypoint", regexp.MustCompile(`(?m)^ENTRYPOINT \["/[^"]+"\]$`).MatchString(runtime)},
		{"no RUN at run time (no shell there)", !strings.Contains(runtime, "\nRUN ")},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Fatalf("Dockerfile fails the check:\n%s", df)
			}
		})
	}
	t.Run(".dockerignore keeps tests and the benchmark out", func(t *testing.T) {
		ignore, err := os.ReadFile(".dockerignore")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"\n*\n", "!go.mod", "!go.sum", "!*.go", "!internal", "**/*_test.go"} {
			if !strings.Contains(string(ignore), want) {
				t.Fatalf(".dockerignore lacks %q", want)
			}
		}
	})
}

// process is the running binary with its output captured line by line.
type process struct {
	cmd      *exec.Cmd
	addr     string
	stdout   *lineLog
	stderr   syncBuffer
	exited   chan struct{} // closed when the process has exited
	exitErr  error
	exitedAt time.Time
}

type logLine struct {
	at  time.Time
	raw string
	rec map[string]any
}

// lineLog timestamps each complete line as it arrives.
type lineLog struct {
	mu      sync.Mutex
	partial []byte
	lines   []logLine
}

func (l *lineLog) Write(p []byte) (int, error) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		raw := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		var rec map[string]any
		_ = json.Unmarshal([]byte(raw), &rec)
		l.lines = append(l.lines, logLine{now, raw, rec})
	}
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, line := range l.lines {
		b.WriteString(line.raw + "\n")
	}
	return b.String() + string(l.partial)
}

// find returns the first line whose msg starts with prefix.
func (l *lineLog) find(prefix string) (logLine, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if msg, _ := line.rec["msg"].(string); strings.HasPrefix(msg, prefix) {
			return line, true
		}
	}
	return logLine{}, false
}

func (p *process) waitFor(t *testing.T, prefix string, timeout time.Duration) logLine {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if line, ok := p.stdout.find(prefix); ok {
			return line
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q log line within %v:\n%s%s", prefix, timeout, p.stdout, &p.stderr)
		}
		time.Sleep(time.Millisecond)
	}
}

// startBinary runs bin on 127.0.0.1 (free port) with vars on top of a minimal
// environment and waits for its "listening" line.
func startBinary(t *testing.T, bin string, vars ...string) *process {
	t.Helper()
	p := &process{stdout: &lineLog{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin)
	p.cmd.Env = append([]string{"BIND_ADDR=127.0.0.1:0", "LOG_LEVEL=info", "API_TOKEN=" + binaryToken}, vars...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.exitErr = p.cmd.Wait()
		p.exitedAt = time.Now()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if out := p.stdout.String() + p.stderr.String(); strings.Contains(out, binaryToken) {
			t.Errorf("the API token appears in the binary's output:\n%s", out)
		}
	})
	line := p.waitFor(t, "listening", 10*time.Second)
	p.addr, _ = line.rec["addr"].(string)
	if !strings.HasPrefix(p.addr, "127.0.0.1:") {
		t.Fatalf("listening on %q, want 127.0.0.1", p.addr)
	}
	return p
}

func exitCode(err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func testSignals(t *testing.T, bin string) {
	cases := []struct {
		name     string
		signals  []syscall.Signal
		drain    string
		wantCode int
		wantLog  string
	}{
		{"SIGINT shuts down gracefully", []syscall.Signal{syscall.SIGINT}, "0s", 0, "shutdown: complete"},
		{"a second SIGTERM forces an immediate exit", []syscall.Signal{syscall.SIGTERM, syscall.SIGTERM}, "30s", 2, "shutdown: second signal, exiting now"},
		{"SIGINT then SIGTERM forces an immediate exit", []syscall.Signal{syscall.SIGINT, syscall.SIGTERM}, "30s", 2, "shutdown: second signal, exiting now"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := startBinary(t, bin, "DRAIN_DELAY="+tc.drain, "SHUTDOWN_TIMEOUT=30s")
			var last time.Time // when the last signal was sent
			for i, sig := range tc.signals {
				if i > 0 { // the first one must be in hand before the next
					p.waitFor(t, "shutdown: readiness now failing", 5*time.Second)
				}
				last = time.Now()
				_ = p.cmd.Process.Signal(sig)
			}
			select {
			case <-p.exited:
			case <-time.After(5 * time.Second):
				t.Fatal("no exit within 5s")
			}
			took := p.exitedAt.Sub(last)
			if code := exitCode(p.exitErr); code != tc.wantCode {
				t.Fatalf("exit code %d, want %d (%v)", code, tc.wantCode, p.exitErr)
			}
			if took > time.Second {
				t.Fatalf("exit %v after the last signal, want immediate", took)
			}
			p.waitFor(t, tc.wantLog, time.Second)
			t.Logf("exit code %d, %v after the last signal", tc.wantCode, took.Round(time.Millisecond))
		})
	}
}

func testBadConfig(t *testing.T, bin string) {
	cmd := exec.Command(bin)
	cmd.Env = []string{"PORT=0", "SHUTDOWN_TIMEOUT=soon", "API_TOKEN=" + binaryToken}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if code := exitCode(err); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	for _, want := range []string{`PORT="0" is invalid: want an integer in 1..65535`, `SHUTDOWN_TIMEOUT="soon" is invalid: want a Go duration`} {
		if !strings.Contains(stderr.String(), want) {
			t.Fatalf("stderr lacks %q:\n%s", want, &stderr)
		}
	}
	if strings.Contains(stdout.String()+stderr.String(), binaryToken) {
		t.Fatal("the token was printed")
	}
}

// The same drain with every request traced to a real OTLP/HTTP receiver: nothing is
// dropped, and the spans of the requests that ended during Shutdown (the slow "/" ones)
// are flushed before the process exits.
func testZeroDowntimeTraced(t *testing.T, bin string) {
	rcv, err := otlptest.Start(true)
	if err != nil {
		t.Fatal(err)
	}
	defer rcv.Close()
	okLoad, okSlow := testZeroDowntime(t, bin, "OTEL_EXPORTER_OTLP_ENDPOINT="+rcv.URL)
	if t.Failed() {
		return
	}
	var version, root int
	for _, s := range rcv.Spans() {
		switch {
		case s.Name == "GET /version" && s.Attrs["http.response.status_code"] == int64(200):
			version++
		case s.Name == "GET /" && s.Attrs["http.response.status_code"] == int64(200):
			root++
			if s.Resource["service.version"] != stampedVersion {
				t.Errorf("span resource %v, want service.version %s", s.Resource, stampedVersion)
			}
		}
	}
	spans, exports := rcv.Count()
	t.Logf("receiver: %d spans in %d exports; GET /version spans %d for %d answered, GET / spans %d for %d", spans, exports, version, okLoad, root, okSlow)
	if root != okSlow {
		t.Errorf("%d spans of slow requests to / reached the receiver, want %d: the shutdown did not flush", root, okSlow)
	}
	// The SDK's queue (2048) drops spans only if the exporter falls behind; allow 5%.
	if version < okLoad*95/100 {
		t.Errorf("%d GET /version spans for %d answered requests", version, okLoad)
	}
}
