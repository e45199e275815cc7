package main

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// testZeroDowntime sends SIGTERM to the real binary in the middle of a bounded load
// from keep-alive clients (as a load balancer would keep them) while a poller watches
// /readyz. No request sent before readiness was seen failing may fail; requests to "/"
// started just before Shutdown (slowed by FAULT_LATENCY) must complete with 200.
//
// vars go to the binary; the counts of requests answered are returned, so a caller can
// check what else the run produced (spans).
func testZeroDowntime(t *testing.T, bin string, vars ...string) (okLoad, okSlow int) {
	const (
		total       = 6000                   // requests to /version, the load
		concurrency = 32                     // keep-alive clients
		spread      = 3 * time.Second        // the load is paced over about this long
		drain       = time.Second            // DRAIN_DELAY
		grace       = 3 * time.Second        // SHUTDOWN_TIMEOUT
		slowLatency = 300 * time.Millisecond // FAULT_LATENCY: applies to "/" only
		slowCount   = 8
		slowLead    = 150 * time.Millisecond // slow requests start this long before Shutdown
		slack       = 500 * time.Millisecond
	)
	p := startBinary(t, bin, append([]string{"DRAIN_DELAY=" + drain.String(), "SHUTDOWN_TIMEOUT=" + grace.String(), "FAULT_LATENCY=" + slowLatency.String()}, vars...)...)
	base := "http://" + p.addr
	t0 := time.Now()
	deadline := t0.Add(20 * time.Second) // a hard cap whatever happens

	newClient := func(conns int) *http.Client {
		tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: 30 * time.Second}
		t.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Transport: tr, Timeout: 5 * time.Second}
	}

	// The load: each worker paces itself so the run spans `spread`.
	type sample struct {
		sent time.Duration // since t0
		ok   bool
		err  string
	}
	samples := make([]sample, total)
	var next atomic.Int64
	var load sync.WaitGroup
	client := newClient(concurrency)
	pace := spread * concurrency / total
	for range concurrency {
		load.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= total || time.Now().After(deadline) {
					return
				}
				s := sample{sent: time.Since(t0)}
				res, err := client.Get(base + "/version")
				if err != nil {
					s.err = err.Error()
				} else {
					_, _ = io.Copy(io.Discard, res.Body)
					_ = res.Body.Close()
					s.ok = res.StatusCode == http.StatusOK
					if !s.ok {
						s.err = res.Status
					}
				}
				samples[i] = s
				time.Sleep(pace)
			}
		})
	}

	// The poller: /readyz every 2ms until it first answers 503.
	var flipSent, flipSeen atomic.Int64 // since t0, of the first 503 poll
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		poller := newClient(1)
		for time.Now().Before(deadline) {
			sent := time.Since(t0)
			res, err := poller.Get(base + "/readyz")
			if err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				if res.StatusCode == http.StatusServiceUnavailable {
					flipSent.Store(int64(sent))
					flipSeen.Store(int64(time.Since(t0)))
					return
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()

	// SIGTERM once 40% of the load is out.
	for next.Load() < total*2/5 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	signalAt := time.Since(t0)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// The slow group, timed to be in flight when Shutdown starts (SIGTERM + DRAIN_DELAY).
	type slowResult struct {
		start, end time.Time
		code       int
		err        error
	}
	slow := make([]slowResult, slowCount)
	var slowGroup sync.WaitGroup
	slowClient := newClient(slowCount)
	time.Sleep(time.Until(t0.Add(signalAt + drain - slowLead)))
	for i := range slow {
		slowGroup.Go(func() {
			slow[i].start = time.Now()
			res, err := slowClient.Get(base + "/")
			slow[i].end, slow[i].err = time.Now(), err
			if err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				slow[i].code = res.StatusCode
			}
		})
	}

	select {
	case <-p.exited:
	case <-time.After(time.Until(t0.Add(signalAt + drain + grace + slack))):
		t.Fatalf("no exit within DRAIN_DELAY + SHUTDOWN_TIMEOUT + %v of SIGTERM", slack)
	}
	exitAfter := p.exitedAt.Sub(t0) - signalAt
	load.Wait()
	slowGroup.Wait()
	<-polled

	// Shutdown's start, by the binary's own clock (same machine).
	shutdownLine := p.waitFor(t, "shutdown: closing listener", time.Second)
	shutdownAt, err := time.Parse(time.RFC3339Nano, shutdownLine.rec["time"].(string))
	if err != nil {
		t.Fatal(err)
	}
	shutdownAfter := shutdownAt.Sub(t0) - signalAt

	if flipSeen.Load() == 0 {
		t.Fatal("/readyz never answered 503")
	}
	flip := time.Duration(flipSeen.Load()) - signalAt
	var sent, before, failedBefore, servedInDrain, after, failedAfter int
	var firstFailures []string
	for _, s := range samples {
		if s.sent == 0 {
			continue
		}
		sent++
		switch {
		case s.sent < time.Duration(flipSeen.Load()):
			before++
			if !s.ok {
				failedBefore++
				if len(firstFailures) < 5 {
					firstFailures = append(firstFailures, s.err)
				}
			}
		default:
			after++
			if !s.ok {
				failedAfter++
			} else if s.sent < shutdownAt.Sub(t0) {
				servedInDrain++
			}
		}
		if s.ok {
			okLoad++
		}
	}
	var slowOK int
	var slowFirstEnd, slowLastEnd time.Duration
	for i, s := range slow {
		if s.err != nil || s.code != http.StatusOK {
			t.Errorf("slow request %d: status %d, error %v; want 200", i, s.code, s.err)
			continue
		}
		if !s.start.Before(shutdownAt) || !s.end.After(shutdownAt) {
			t.Errorf("slow request %d ran %v..%v after SIGTERM, not across Shutdown at %v",
				i, s.start.Sub(t0)-signalAt, s.end.Sub(t0)-signalAt, shutdownAfter)
			continue
		}
		slowOK++
		end := s.end.Sub(shutdownAt)
		if slowOK == 1 || end < slowFirstEnd {
			slowFirstEnd = end
		}
		slowLastEnd = max(slowLastEnd, end)
	}

	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	t.Logf("load: %d requests sent to /version by %d keep-alive clients; %d sent before /readyz was seen 503, failed among them: %d",
		sent, concurrency, before, failedBefore)
	t.Logf("after that: %d sent, %d served during the drain, %d failed (expected once the listener closes)", after, servedInDrain, failedAfter)
	t.Logf("readiness: first 503 seen %.1f ms after SIGTERM (that poll was sent %.1f ms after)",
		ms(flip), ms(time.Duration(flipSent.Load())-signalAt))
	t.Logf("shutdown began %.0f ms after SIGTERM; exit code %d after %.0f ms (budget DRAIN_DELAY %v + SHUTDOWN_TIMEOUT %v)",
		ms(shutdownAfter), exitCode(p.exitErr), ms(exitAfter), drain, grace)
	t.Logf("slow requests to / (FAULT_LATENCY %v): %d/%d in flight when Shutdown began completed with 200, %.0f..%.0f ms after it",
		slowLatency, slowOK, slowCount, ms(slowFirstEnd), ms(slowLastEnd))

	if sent < 5000 {
		t.Errorf("only %d requests sent, want ≥ 5000", sent)
	}
	if failedBefore != 0 {
		t.Errorf("%d requests sent before readiness turned 503 failed, e.g. %q", failedBefore, firstFailures)
	}
	if flip > 100*time.Millisecond {
		t.Errorf("readiness turned 503 %v after SIGTERM, want ≤ 100ms", flip)
	}
	if servedInDrain == 0 {
		t.Error("no request was served between the readiness flip and Shutdown: the drain did not keep serving")
	}
	if code := exitCode(p.exitErr); code != 0 {
		t.Errorf("exit code %d (%v), want 0", code, p.exitErr)
	}
	if exitAfter < drain || exitAfter > drain+grace+slack {
		t.Errorf("exit %v after SIGTERM, want between DRAIN_DELAY %v and DRAIN_DELAY + SHUTDOWN_TIMEOUT + %v", exitAfter, drain, slack)
	}
	if slowOK != slowCount {
		t.Errorf("%d of %d slow requests completed across Shutdown, want all", slowOK, slowCount)
	}
	return okLoad, slowOK
}
