// Command bench compares the service's full handler chain (metrics middleware, access
// log, probes, the "/" handler), with tracing off and on, with a bare net/http handler
// returning a similar JSON body. Both servers run in this process on 127.0.0.1 and are driven by the same load
// generator, in alternated rounds so drift in the machine's speed hits both alike. It
// prints figures and asserts nothing.
//
//	cd app && go run ./bench [-n 20000] [-c 32] [-rounds 5]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"goship/app/internal/otlptest"
	"goship/app/internal/service"
)

func main() {
	n := flag.Int("n", 20000, "requests per round and server")
	c := flag.Int("c", 32, "concurrent keep-alive clients")
	rounds := flag.Int("rounds", 5, "alternated rounds")
	flag.Parse()
	if err := bench(*n, *c, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func bench(n, c, rounds int) error {
	// The production defaults (LOG_LEVEL=info: the access log is on the chain but off),
	// with log output discarded so neither side pays for a terminal.
	cfg, err := service.LoadConfig(func(string) string { return "" }, "bench", "bench")
	if err != nil {
		return err
	}
	srv, err := service.New(cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)), service.NewRegistry())
	if err != nil {
		return err
	}
	full, err := serve(srv.Handler())
	if err != nil {
		return err
	}
	srv.Probes().MarkStarted()

	// The same chain with tracing on at the default sampler (parentbased_always_on: every
	// request is a sampled root span), batched to a real OTLP/HTTP receiver in-process.
	rcv, err := otlptest.Start(false)
	if err != nil {
		return err
	}
	defer rcv.Close()
	tcfg, err := service.LoadConfig(func(k string) string {
		if k == "OTEL_EXPORTER_OTLP_ENDPOINT" {
			return rcv.URL
		}
		return ""
	}, "bench", "bench")
	if err != nil {
		return err
	}
	tracing, err := service.NewTracing(context.Background(), tcfg)
	if err != nil {
		return err
	}
	tsrv, err := service.New(tcfg, slog.New(service.TraceLogHandler{Handler: slog.NewJSONHandler(io.Discard, nil)}), service.NewRegistry(), service.WithTracing(tracing))
	if err != nil {
		return err
	}
	traced, err := serve(tsrv.Handler())
	if err != nil {
		return err
	}

	body := []byte(`{"message":"hello","version":"bench"}` + "\n")
	bare, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	if err != nil {
		return err
	}

	urls := []string{bare, full, traced}
	names := []string{"bare net/http", "full chain, tracing off", "full chain, tracing on"}
	for _, url := range urls { // warm up connections, caches and series
		if r := load(url, n/10, c); r.failed > 0 {
			return fmt.Errorf("warm-up against %s: %d failed", url, r.failed)
		}
	}
	runs := make([][]result, len(urls))
	for i := range rounds {
		// Rotate which goes first, so none always follows another's garbage.
		for j := range urls {
			k := (i + j) % len(urls)
			runs[k] = append(runs[k], load(urls[k], n, c))
		}
	}
	// Each round's runs were back to back, so a per-round ratio cancels most of the
	// machine's drift; the median of those ratios is the figure to quote.
	ratio := func(a, b int) float64 {
		rs := make([]float64, rounds)
		for i := range rounds {
			rs[i] = runs[a][i].rps / runs[b][i].rps
		}
		slices.Sort(rs)
		return rs[len(rs)/2]
	}
	if err := tracing.Shutdown(context.Background()); err != nil {
		return err
	}
	spans, exports := rcv.Count()
	fmt.Printf("load: %d requests per round and server, %d rounds rotated, %d keep-alive clients, 127.0.0.1, GOMAXPROCS=%d; each line is its median round\n",
		n, rounds, c, runtime.GOMAXPROCS(0))
	for k, name := range names {
		m := median(runs[k])
		fmt.Printf("%-24s %8.0f req/s  p50 %6.0fµs  p99 %6.0fµs  failed %d\n", name, m.rps, us(m.p50), us(m.p99), m.failed)
	}
	fmt.Printf("ratio full/bare req/s: %.3f (median of per-round ratios; target ≥ 0.90)\n", ratio(1, 0))
	fmt.Printf("ratio traced/bare req/s: %.3f, traced/full: %.3f (tracing on, default sampler parentbased_always_on)\n", ratio(2, 0), ratio(2, 1))
	fmt.Printf("spans received by the OTLP/HTTP receiver: %d in %d exports (%d traced requests sent)\n", spans, exports, (rounds*n)+n/10)
	for i := range rounds {
		fmt.Printf("  round %d: bare %6.0f req/s, full %6.0f req/s, traced %6.0f req/s, full/bare %.3f, traced/bare %.3f\n", i+1,
			runs[0][i].rps, runs[1][i].rps, runs[2][i].rps, runs[1][i].rps/runs[0][i].rps, runs[2][i].rps/runs[0][i].rps)
	}
	return nil
}

func serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go func() { _ = (&http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}).Serve(ln) }()
	return "http://" + ln.Addr().String() + "/", nil
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	failed   int64
}

// load sends exactly n GET requests from c keep-alive clients and times each.
func load(url string, n, c int) result {
	tr := &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	lat := make([]time.Duration, n)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t := time.Now()
				res, err := client.Get(url)
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					_ = res.Body.Close()
				}
				lat[i] = time.Since(t)
				if err != nil || res.StatusCode != http.StatusOK {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	return result{rps: float64(n) / elapsed.Seconds(), p50: lat[n/2], p99: lat[n*99/100], failed: failed.Load()}
}

// median picks the round with the median throughput (its latencies come with it).
func median(rs []result) result {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b result) int {
		switch {
		case a.rps < b.rps:
			return -1
		case a.rps > b.rps:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
