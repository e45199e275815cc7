// Command bench compares the service's full handler chain (metrics middleware, access
// log, probes, the "/" handler) with a bare net/http handler returning a similar JSON
// body. Both servers run in this process on 127.0.0.1 and are driven by the same load
// generator, in alternated rounds so drift in the machine's speed hits both alike. It
// prints figures and asserts nothing.
//
//	cd app && go run ./bench [-n 20000] [-c 32] [-rounds 5]
package main

import (
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
	body := []byte(`{"message":"hello","version":"bench"}` + "\n")
	bare, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	if err != nil {
		return err
	}

	for _, url := range []string{full, bare} { // warm up connections, caches and series
		if r := load(url, n/10, c); r.failed > 0 {
			return fmt.Errorf("warm-up against %s: %d failed", url, r.failed)
		}
	}
	var fullRuns, bareRuns []result
	for i := range rounds {
		// Alternate which goes first, so neither always follows the other's garbage.
		if i%2 == 0 {
			bareRuns = append(bareRuns, load(bare, n, c))
			fullRuns = append(fullRuns, load(full, n, c))
		} else {
			fullRuns = append(fullRuns, load(full, n, c))
			bareRuns = append(bareRuns, load(bare, n, c))
		}
	}
	f, b := median(fullRuns), median(bareRuns)
	// Each round's pair ran back to back, so its ratio cancels most of the machine's drift;
	// the median of those ratios is the figure to quote.
	ratios := make([]float64, rounds)
	for i := range rounds {
		ratios[i] = fullRuns[i].rps / bareRuns[i].rps
	}
	slices.Sort(ratios)
	fmt.Printf("load: %d requests per round and server, %d rounds alternated, %d keep-alive clients, 127.0.0.1, GOMAXPROCS=%d; each line is its median round\n",
		n, rounds, c, runtime.GOMAXPROCS(0))
	fmt.Printf("bare net/http      %8.0f req/s  p50 %6.0fµs  p99 %6.0fµs  failed %d\n", b.rps, us(b.p50), us(b.p99), b.failed)
	fmt.Printf("full goship chain  %8.0f req/s  p50 %6.0fµs  p99 %6.0fµs  failed %d\n", f.rps, us(f.p50), us(f.p99), f.failed)
	fmt.Printf("ratio full/bare req/s: %.3f (median of per-round ratios; target ≥ 0.90)\n", ratios[len(ratios)/2])
	for i := range rounds {
		fmt.Printf("  round %d: bare %6.0f req/s, full %6.0f req/s, ratio %.3f\n", i+1, bareRuns[i].rps, fullRuns[i].rps, fullRuns[i].rps/bareRuns[i].rps)
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
