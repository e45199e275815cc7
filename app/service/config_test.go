package service

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(env(nil), "1.2.3", "abc")
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.ShutdownTimeout != 10*time.Second || c.DrainDelay != 5*time.Second || c.Greeting != "hello" ||
		c.FaultErrorRate != 0 || c.FaultLatency != 0 || c.Version != "1.2.3" || c.Commit != "abc" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestLoadConfigErrorsNameVariableAndValue(t *testing.T) {
	cases := []struct{ name, value, want string }{
		{"PORT", "http", `PORT="http" is invalid: must be an integer port`},
		{"PORT", "70000", `PORT="70000" is invalid`},
		{"SHUTDOWN_TIMEOUT", "10", `SHUTDOWN_TIMEOUT="10" is invalid: must be a positive Go duration`},
		{"SHUTDOWN_TIMEOUT", "0s", `SHUTDOWN_TIMEOUT="0s" is invalid`},
		{"DRAIN_DELAY", "-1s", `DRAIN_DELAY="-1s" is invalid: must be a Go duration ≥ 0`},
		{"LOG_LEVEL", "loud", `LOG_LEVEL="loud" is invalid: must be one of debug, info, warn, error`},
		{"FAULT_ERROR_RATE", "1.5", `FAULT_ERROR_RATE="1.5" is invalid: must be a number in 0..1`},
		{"FAULT_ERROR_RATE", "lots", `FAULT_ERROR_RATE="lots" is invalid`},
		{"FAULT_LATENCY", "fast", `FAULT_LATENCY="fast" is invalid: must be a Go duration ≥ 0`},
	}
	for _, tc := range cases {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			_, err := LoadConfig(env(map[string]string{tc.name: tc.value}), "v", "c")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want error containing %q, got %v", tc.want, err)
			}
		})
	}
	_, err := LoadConfig(env(map[string]string{"PORT": "x", "LOG_LEVEL": "y"}), "v", "c")
	if err == nil || strings.Count(err.Error(), "is invalid") != 2 {
		t.Fatalf("want both problems reported at once, got %v", err)
	}
}

func TestConfigNeverPrintsTheToken(t *testing.T) {
	c, _ := LoadConfig(env(map[string]string{"API_TOKEN": "tok-7f3a9c"}), "v", "c")
	for _, s := range []string{c.String(), c.LogValue().String()} {
		if strings.Contains(s, "tok-7f3a9c") {
			t.Fatalf("token printed: %s", s)
		}
		if !strings.Contains(s, "apiTokenSet=true") {
			t.Fatalf("want apiTokenSet=true in %s", s)
		}
	}
}
