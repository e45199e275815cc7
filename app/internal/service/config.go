package service

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
)

// Secret holds a value that must never reach a log line, an error or a dump: every
// way fmt, encoding/json and log/slog print it shows "[REDACTED]". Reveal is the only
// way to read it, so a use of the raw value is easy to find.
type Secret struct{ value string }

const redacted = "[REDACTED]"

func (s Secret) Reveal() string                { return s.value }
func (s Secret) IsSet() bool                   { return s.value != "" }
func (s Secret) String() string                { return redacted }
func (s Secret) GoString() string              { return redacted }
func (s Secret) LogValue() slog.Value          { return slog.StringValue(redacted) }
func (s Secret) MarshalJSON() ([]byte, error)  { return []byte(`"` + redacted + `"`), nil }
func (s Secret) MarshalText() ([]byte, error)  { return []byte(redacted), nil }
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redacted)) }

// Config is read once from the environment, validated, and passed down. Nothing else
// reads the environment.
type Config struct {
	Addr            string        // BIND_ADDR, else ":" + PORT
	Port            int           // PORT
	ShutdownTimeout time.Duration // SHUTDOWN_TIMEOUT: http.Server.Shutdown's deadline
	DrainDelay      time.Duration // DRAIN_DELAY: keep serving after SIGTERM while endpoints are removed
	Greeting        string        // GREETING, fed by the ConfigMap
	APIToken        Secret        // API_TOKEN, fed by the Secret
	LogLevel        slog.Level    // LOG_LEVEL
	FaultErrorRate  float64       // FAULT_ERROR_RATE: share of "/" requests answered 500
	FaultLatency    time.Duration // FAULT_LATENCY: added to every "/" request
	Version         string        // build stamp, or VERSION for local runs
	Commit          string        // build stamp
	Tracing         TracingConfig // OTEL_*: OpenTelemetry tracing, off unless an OTLP endpoint is set
}

// LogValue is what the start-up log shows: everything but the token, of which only
// whether it is set.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("shutdownTimeout", c.ShutdownTimeout.String()),
		slog.String("drainDelay", c.DrainDelay.String()),
		slog.String("greeting", c.Greeting),
		slog.Bool("apiTokenSet", c.APIToken.IsSet()),
		slog.String("logLevel", strings.ToLower(c.LogLevel.String())),
		slog.Float64("faultErrorRate", c.FaultErrorRate),
		slog.String("faultLatency", c.FaultLatency.String()),
		slog.String("version", c.Version),
		slog.String("commit", c.Commit),
		slog.Attr{Key: "tracing", Value: c.Tracing.LogValue()},
	)
}

// String keeps %v, %+v and %s from printing the token (the Secret field guards %#v).
func (c Config) String() string { return c.LogValue().String() }

// parseLevel accepts exactly debug, info, warn and error, in any case (slog's own parser
// also takes forms like "info+2", which would only confuse).
func parseLevel(s string) (slog.Level, bool) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return 0, false
}

// LoadConfig reads and validates the environment through getenv; an empty value means
// the default. Every problem is reported at once, each naming the variable, the bad
// value and what is allowed.
func LoadConfig(getenv func(string) string, version, commit string) (Config, error) {
	var errs []error
	get := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	bad := func(name, value, allowed string) {
		errs = append(errs, fmt.Errorf("%s=%q is invalid: %s", name, value, allowed))
	}
	duration := func(name, def, example string, positive bool) time.Duration {
		v := get(name, def)
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			bad(name, v, "want a Go duration such as "+example)
		case positive && d <= 0:
			bad(name, v, "want a duration > 0 such as "+example)
		case d < 0:
			bad(name, v, "want a duration ≥ 0 such as "+example)
		}
		return d
	}

	c := Config{Version: version, Commit: commit}
	{
		v := get("PORT", "8080")
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			bad("PORT", v, "want an integer in 1..65535 (for a free port in tests, set BIND_ADDR=127.0.0.1:0)")
		}
		c.Port = p
	}
	c.Addr = ":" + strconv.Itoa(c.Port)
	if v := getenv("BIND_ADDR"); v != "" {
		host, port, err := net.SplitHostPort(v)
		p, perr := strconv.Atoi(port)
		if err != nil || perr != nil || p < 0 || p > 65535 || strings.ContainsAny(host, " /") {
			bad("BIND_ADDR", v, "want host:port such as 127.0.0.1:8080 or :8080, port in 0..65535 (0 picks a free port)")
		}
		c.Addr = v
	}
	c.ShutdownTimeout = duration("SHUTDOWN_TIMEOUT", "10s", "10s", true)
	c.DrainDelay = duration("DRAIN_DELAY", "5s", "5s", false)
	c.FaultLatency = duration("FAULT_LATENCY", "0s", "200ms", false)
	c.Greeting = get("GREETING", "hello")
	c.APIToken = Secret{getenv("API_TOKEN")}
	{
		v := get("LOG_LEVEL", "info")
		level, ok := parseLevel(v)
		if !ok {
			bad("LOG_LEVEL", v, "want one of debug, info, warn, error")
		}
		c.LogLevel = level
	}
	{
		v := get("FAULT_ERROR_RATE", "0")
		r, err := strconv.ParseFloat(v, 64)
		// The negated range test also refuses NaN, which ParseFloat accepts.
		if err != nil || !(r >= 0 && r <= 1) || math.IsInf(r, 0) {
			bad("FAULT_ERROR_RATE", v, "want a number in 0..1 (0 = off, 1 = every request to / fails)")
		}
		c.FaultErrorRate = r
	}
	c.Tracing = loadTracing(getenv, bad)
	if v := getenv("VERSION"); v != "" {
		c.Version = v // a local run may override the build stamp
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("invalid configuration: %w", err)
	}
	return c, nil
}
