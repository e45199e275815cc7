package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
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
	want := Config{Addr: ":8080", Port: 8080, ShutdownTimeout: 10 * time.Second, DrainDelay: 5 * time.Second,
		Greeting: "hello", LogLevel: slog.LevelInfo, Version: "1.2.3", Commit: "abc",
		Tracing: TracingConfig{ServiceName: "goship", Sampler: "parentbased_always_on", SamplerArg: 1}}
	if c != want {
		t.Fatalf("defaults:\n got %#v\nwant %#v", c, want)
	}
}

func TestLoadConfigAccepts(t *testing.T) {
	cases := []struct {
		name  string
		vars  map[string]string
		check func(Config) bool
	}{
		{"PORT lowest", map[string]string{"PORT": "1"}, func(c Config) bool { return c.Addr == ":1" }},
		{"PORT highest", map[string]string{"PORT": "65535"}, func(c Config) bool { return c.Addr == ":65535" }},
		{"BIND_ADDR free port", map[string]string{"BIND_ADDR": "127.0.0.1:0"}, func(c Config) bool { return c.Addr == "127.0.0.1:0" }},
		{"BIND_ADDR wins over PORT", map[string]string{"PORT": "9000", "BIND_ADDR": "[::1]:9001"}, func(c Config) bool { return c.Addr == "[::1]:9001" }},
		{"DRAIN_DELAY zero", map[string]string{"DRAIN_DELAY": "0s"}, func(c Config) bool { return c.DrainDelay == 0 }},
		{"SHUTDOWN_TIMEOUT", map[string]string{"SHUTDOWN_TIMEOUT": "1m30s"}, func(c Config) bool { return c.ShutdownTimeout == 90*time.Second }},
		{"LOG_LEVEL any case", map[string]string{"LOG_LEVEL": "DEBUG"}, func(c Config) bool { return c.LogLevel == slog.LevelDebug }},
		{"LOG_LEVEL warn", map[string]string{"LOG_LEVEL": "warn"}, func(c Config) bool { return c.LogLevel == slog.LevelWarn }},
		{"FAULT_ERROR_RATE one", map[string]string{"FAULT_ERROR_RATE": "1"}, func(c Config) bool { return c.FaultErrorRate == 1 }},
		{"FAULT_ERROR_RATE share", map[string]string{"FAULT_ERROR_RATE": "0.25"}, func(c Config) bool { return c.FaultErrorRate == 0.25 }},
		{"FAULT_LATENCY", map[string]string{"FAULT_LATENCY": "150ms"}, func(c Config) bool { return c.FaultLatency == 150*time.Millisecond }},
		{"GREETING", map[string]string{"GREETING": "bonjour"}, func(c Config) bool { return c.Greeting == "bonjour" }},
		{"API_TOKEN", map[string]string{"API_TOKEN": "t"}, func(c Config) bool { return c.APIToken.Reveal() == "t" }},
		{"VERSION overrides the stamp", map[string]string{"VERSION": "2.0.0"}, func(c Config) bool { return c.Version == "2.0.0" && c.Commit == "abc" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(env(tc.vars), "1.2.3", "abc")
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("unexpected config %#v", c)
			}
		})
	}
}

// Every variable × bad value: the message names the variable, the value and what is allowed.
func TestLoadConfigRejects(t *testing.T) {
	cases := []struct{ name, value, allowed string }{
		{"PORT", "http", "want an integer in 1..65535"},
		{"PORT", "0", "want an integer in 1..65535"},
		{"PORT", "-1", "want an integer in 1..65535"},
		{"PORT", "65536", "want an integer in 1..65535"},
		{"PORT", "80.5", "want an integer in 1..65535"},
		{"BIND_ADDR", "127.0.0.1", "want host:port"},
		{"BIND_ADDR", "127.0.0.1:http", "want host:port"},
		{"BIND_ADDR", ":70000", "want host:port such as 127.0.0.1:8080 or :8080, port in 0..65535"},
		{"SHUTDOWN_TIMEOUT", "10", "want a Go duration such as 10s"},
		{"SHUTDOWN_TIMEOUT", "0s", "want a duration > 0"},
		{"SHUTDOWN_TIMEOUT", "-5s", "want a duration > 0"},
		{"DRAIN_DELAY", "soon", "want a Go duration such as 5s"},
		{"DRAIN_DELAY", "-1s", "want a duration ≥ 0"},
		{"LOG_LEVEL", "loud", "want one of debug, info, warn, error"},
		{"LOG_LEVEL", "info+2", "want one of debug, info, warn, error"},
		{"FAULT_ERROR_RATE", "1.5", "want a number in 0..1"},
		{"FAULT_ERROR_RATE", "-0.1", "want a number in 0..1"},
		{"FAULT_ERROR_RATE", "NaN", "want a number in 0..1"},
		{"FAULT_ERROR_RATE", "Inf", "want a number in 0..1"},
		{"FAULT_ERROR_RATE", "lots", "want a number in 0..1"},
		{"FAULT_LATENCY", "fast", "want a Go duration such as 200ms"},
		{"FAULT_LATENCY", "-10ms", "want a duration ≥ 0"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "want an http:// or https:// URL"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "grpc://collector:4317", "want an http:// or https:// URL"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://", "want an http:// or https:// URL"},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "::bad", "want an http:// or https:// URL"},
		{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "want http/protobuf (this service exports OTLP over HTTP only)"},
		{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json", "want http/protobuf"},
		{"OTEL_TRACES_EXPORTER", "console", "want otlp or none"},
		{"OTEL_SDK_DISABLED", "yes", "want true or false"},
		{"OTEL_TRACES_SAMPLER", "sometimes", "want one of always_on, always_off, traceidratio, parentbased_always_on"},
	}
	for _, tc := range cases {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			_, err := LoadConfig(env(map[string]string{tc.name: tc.value}), "v", "c")
			if err == nil {
				t.Fatal("accepted")
			}
			want := fmt.Sprintf("%s=%q is invalid: %s", tc.name, tc.value, tc.allowed)
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q lacks %q", err, want)
			}
		})
	}
	t.Run("all problems at once", func(t *testing.T) {
		_, err := LoadConfig(env(map[string]string{"PORT": "x", "LOG_LEVEL": "y", "DRAIN_DELAY": "z"}), "v", "c")
		if err == nil || strings.Count(err.Error(), "is invalid") != 3 {
			t.Fatalf("want three problems reported, got %v", err)
		}
	})
}

// The token must not come out of any way a config or the secret itself may be printed.
func TestSecretIsRedactedEverywhere(t *testing.T) {
	const token = "tok-7f3a9c-do-not-print"
	c, err := LoadConfig(env(map[string]string{"API_TOKEN": token}), "v", "c")
	if err != nil {
		t.Fatal(err)
	}
	var jsonLog, textLog bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("cfg", "config", c, "token", c.APIToken)
	slog.New(slog.NewTextHandler(&textLog, nil)).Info("cfg", "config", c, "token", c.APIToken)
	marshalled, _ := json.Marshal(c)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c), "%s": fmt.Sprintf("%s", c),
		"secret %v": fmt.Sprintf("%v", c.APIToken), "secret %q": fmt.Sprintf("%q", c.APIToken), "secret %x": fmt.Sprintf("%x", c.APIToken),
		"pointer %+v": fmt.Sprintf("%+v", &c), "json": string(marshalled), "slog json": jsonLog.String(), "slog text": textLog.String(),
	}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(out, token) || strings.Contains(out, fmt.Sprintf("%x", token)) {
				t.Fatalf("token printed: %s", out)
			}
		})
	}
	if !strings.Contains(jsonLog.String(), `"apiTokenSet":true`) {
		t.Fatalf("the log should say a token is set: %s", jsonLog.String())
	}
	if c.APIToken.Reveal() != token {
		t.Fatal("Reveal must return the value")
	}
}
