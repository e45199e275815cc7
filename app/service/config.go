package service

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// Config is read once from the environment, validated, and passed down.
type Config struct {
	Host            string // LISTEN_HOST: "" listens on all interfaces (containers); tests use 127.0.0.1
	Port            int    // PORT: 0 picks a free port (tests)
	ShutdownTimeout time.Duration
	DrainDelay      time.Duration
	Greeting        string // GREETING, fed by the ConfigMap
	APIToken        string // API_TOKEN, fed by the Secret: never logged
	LogLevel        slog.Level
	FaultErrorRate  float64 // FAULT_ERROR_RATE in [0,1]: share of "/" requests answered 500
	FaultLatency    time.Duration
	Version         string
	Commit          string
}

// LogValue keeps the token out of every log line: only whether it is set is logged.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", c.Host), slog.Int("port", c.Port),
		slog.Duration("shutdownTimeout", c.ShutdownTimeout), slog.Duration("drainDelay", c.DrainDelay),
		slog.String("greeting", c.Greeting), slog.Bool("apiTokenSet", c.APIToken != ""),
		slog.String("logLevel", c.LogLevel.String()),
		slog.Float64("faultErrorRate", c.FaultErrorRate), slog.Duration("faultLatency", c.FaultLatency),
		slog.String("version", c.Version), slog.String("commit", c.Commit),
	)
}

// String never prints the token either (fmt's %v/%s would otherwise show it).
func (c Config) String() string { return c.LogValue().String() }

// LoadConfig reads and validates the environment through getenv. Every problem is
// reported at once, each naming the variable, the bad value and what is allowed.
func LoadConfig(getenv func(string) string, version, commit string) (Config, error) {
	c := Config{Version: version, Commit: commit}
	var errs []error
	bad := func(name, value, allowed string) {
		errs = append(errs, fmt.Errorf("%s=%q is invalid: %s", name, value, allowed))
	}
	get := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	c.Host = getenv("LISTEN_HOST")
	if p, err := strconv.Atoi(get("PORT", "8080")); err != nil || p < 0 || p > 65535 {
		bad("PORT", get("PORT", ""), "must be an integer port in 1..65535 (0 picks a free port)")
	} else {
		c.Port = p
	}
	duration := func(name, def string, min time.Duration, allowed string) time.Duration {
		v := get(name, def)
		d, err := time.ParseDuration(v)
		if err != nil || d < min {
			bad(name, v, allowed)
			return 0
		}
		return d
	}
	c.ShutdownTimeout = duration("SHUTDOWN_TIMEOUT", "10s", time.Millisecond, "must be a positive Go duration such as 10s")
	c.DrainDelay = duration("DRAIN_DELAY", "5s", 0, "must be a Go duration ≥ 0 such as 5s")
	c.FaultLatency = duration("FAULT_LATENCY", "0s", 0, "must be a Go duration ≥ 0 such as 200ms")
	c.Greeting = get("GREETING", "hello")
	c.APIToken = getenv("API_TOKEN")
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		bad("LOG_LEVEL", get("LOG_LEVEL", ""), "must be one of debug, info, warn, error")
	}
	if r, err := strconv.ParseFloat(get("FAULT_ERROR_RATE", "0"), 64); err != nil || r < 0 || r > 1 {
		bad("FAULT_ERROR_RATE", get("FAULT_ERROR_RATE", ""), "must be a number in 0..1")
	} else {
		c.FaultErrorRate = r
	}
	if v := getenv("VERSION"); v != "" {
		c.Version = v // a local run may override the build stamp
	}
	return c, errors.Join(errs...)
}
