// Command bench compares the full goship handler chain (metrics middleware, request
// logging, readiness, the "/" handler) with a bare net/http handler returning a similar
// JSON body: same load generator, same process, runs alternated, on 127.0.0.1 only.
// It prints figures; it asserts nothing.
//
//	cd app && go run ./bench [-n 20000] [-c 32] [-rounds 3]
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"goship/app/service"
)

type result struct {
	rps      float64
	p50, p99 time.Duration
	failed   int64
}

func serve(h http.Handler) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", func() { srv.Close() }
}

// load sends n GET requests with c keep-alive workers and measures each one.
func load(url string, n, c int) result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c}}
	lat := make([]time.Duration, n)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c; w++ {
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
				if err != nil || res.StatusCode != 200 {
					failed.Add(1)
				}
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return result{rps: float64(n) / elapsed.Seconds(), p50: lat[n/2], p99: lat[n*99/100], failed: failed.Load()}
}

func main() {
	n := flag.Int("n", 20000, "requests per run")
	c := flag.Int("c", 32, "concurrent keep-alive clients")
	rounds := flag.Int("rounds", 3, "alternated runs of each")
	flag.Parse()

	cfg, err := service.LoadConfig(func(string) string { return "" }, "bench", "bench")
	if err != nil {
		panic(err)
	}
	reg := prometheus.NewRegistry()
	state := &service.State{}
	state.MarkStarted()
	// Logging at the production level (info): the request log is on the chain but disabled.
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	fullURL, stopFull := serve(service.NewHandler(cfg, state, reg, service.NewMetrics(reg, cfg.Version), logger))
	defer stopFull()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"hello","version":"bench"}`+"\n")
	})
	bareURL, stopBare := serve(bare)
	defer stopBare()

	load(fullURL, *n/10, *c) // warm up both
	load(bareURL, *n/10, *c)
	var full, base []result
	for i := 0; i < *rounds; i++ {
		base = append(base, load(bareURL, *n, *c))
		full = append(full, load(fullURL, *n, *c))
	}
	best := func(rs []result) result { // the fastest round of each: least disturbed by the machine
		sort.Slice(rs, func(i, j int) bool { return rs[i].rps > rs[j].rps })
		return rs[0]
	}
	f, b := best(full), best(base)
	fmt.Printf("load: %d requests × %d rounds, %d keep-alive clients, 127.0.0.1\n", *n, *rounds, *c)
	fmt.Printf("bare net/http     : %8.0f req/s  p50 %v  p99 %v  failed %d\n", b.rps, b.p50, b.p99, b.failed)
	fmt.Printf("full goship chain : %8.0f req/s  p50 %v  p99 %v  failed %d\n", f.rps, f.p50, f.p99, f.failed)
	fmt.Printf("ratio full/bare req/s: %.3fx (target ≥ 0.90x)\n", f.rps/b.rps)
}
