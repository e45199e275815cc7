package service

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// TracingConfig is the OpenTelemetry part of Config, read from the standard OTEL_*
// variables. Tracing is on only when an OTLP endpoint is set (and the SDK is not
// disabled): a service without a collector pays nothing.
type TracingConfig struct {
	Endpoint    string  // full OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces; "" = off
	ServiceName string  // OTEL_SERVICE_NAME
	Sampler     string  // OTEL_TRACES_SAMPLER
	SamplerArg  float64 // OTEL_TRACES_SAMPLER_ARG (ratio samplers)
}

// Enabled reports whether spans are recorded and exported.
func (t TracingConfig) Enabled() bool { return t.Endpoint != "" }

// LogValue shows the endpoint without any userinfo, query or fragment.
func (t TracingConfig) LogValue() slog.Value {
	if !t.Enabled() {
		return slog.GroupValue(slog.Bool("enabled", false))
	}
	endpoint := t.Endpoint
	if u, err := url.Parse(t.Endpoint); err == nil {
		endpoint = u.Scheme + "://" + u.Host + u.Path
	}
	return slog.GroupValue(slog.Bool("enabled", true), slog.String("endpoint", endpoint),
		slog.String("serviceName", t.ServiceName), slog.String("sampler", t.Sampler),
		slog.Float64("samplerArg", t.SamplerArg))
}

var samplers = []string{"always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"}

// loadTracing parses the OTEL_* variables the service honours, reporting each bad value
// through bad (variable, value, what is allowed).
func loadTracing(getenv func(string) string, bad func(name, value, allowed string)) TracingConfig {
	t := TracingConfig{ServiceName: "goship", Sampler: "parentbased_always_on", SamplerArg: 1}
	if v := getenv("OTEL_SERVICE_NAME"); v != "" {
		t.ServiceName = v
	}
	on := true
	if v := getenv("OTEL_SDK_DISABLED"); v != "" {
		switch strings.ToLower(v) {
		case "true":
			on = false
		case "false":
		default:
			bad("OTEL_SDK_DISABLED", v, "want true or false")
		}
	}
	if v := getenv("OTEL_TRACES_EXPORTER"); v != "" {
		switch v {
		case "otlp":
		case "none":
			on = false
		default:
			bad("OTEL_TRACES_EXPORTER", v, "want otlp or none")
		}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		if v := getenv(name); v != "" && v != "http/protobuf" {
			bad(name, v, "want http/protobuf (this service exports OTLP over HTTP only)")
		}
	}
	// The signal-specific URL is used as is; the base one gets /v1/traces (OTLP spec).
	name := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	if getenv(name) == "" {
		name = "OTEL_EXPORTER_OTLP_ENDPOINT"
	}
	var endpoint string
	if v := getenv(name); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(name, v, "want an http:// or https:// URL such as http://otel-collector.observability:4318")
		} else {
			if name == "OTEL_EXPORTER_OTLP_ENDPOINT" {
				u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/traces"
			}
			endpoint = u.String()
		}
	}
	if v := getenv("OTEL_TRACES_SAMPLER"); v != "" {
		known := false
		for _, s := range samplers {
			known = known || v == s
		}
		if !known {
			bad("OTEL_TRACES_SAMPLER", v, "want one of "+strings.Join(samplers, ", "))
		}
		t.Sampler = v
	}
	if v := getenv("OTEL_TRACES_SAMPLER_ARG"); v != "" && strings.HasSuffix(t.Sampler, "traceidratio") {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || !(r >= 0 && r <= 1) {
			bad("OTEL_TRACES_SAMPLER_ARG", v, "want a ratio in 0..1 for "+t.Sampler)
		}
		t.SamplerArg = r
	}
	if on {
		t.Endpoint = endpoint
	}
	return t
}

func (t TracingConfig) sampler() sdktrace.Sampler {
	switch t.Sampler {
	case "always_on":
		return sdktrace.AlwaysSample()
	case "always_off":
		return sdktrace.NeverSample()
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(t.SamplerArg)
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample())
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(t.SamplerArg))
	}
	return sdktrace.ParentBased(sdktrace.AlwaysSample())
}

// Tracing is the tracer provider of a traced service; a nil *Tracing is tracing off.
type Tracing struct {
	provider   *sdktrace.TracerProvider
	propagator propagation.TextMapPropagator
}

// NewTracing builds the OTLP/HTTP exporter and the tracer provider for cfg, or returns
// nil when tracing is off. The exporter connects lazily: a collector that is down costs
// dropped spans, never a failed start.
func NewTracing(ctx context.Context, cfg Config) (*Tracing, error) {
	if !cfg.Tracing.Enabled() {
		return nil, nil
	}
	exporter, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(cfg.Tracing.Endpoint))
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter for %s: %w", cfg.Tracing.LogValue(), err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName(cfg.Tracing.ServiceName), semconv.ServiceVersion(cfg.Version),
		attribute.String("vcs.ref.head.revision", cfg.Commit))
	return &Tracing{
		provider: sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter),
			sdktrace.WithResource(res), sdktrace.WithSampler(cfg.Tracing.sampler())),
		propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	}, nil
}

// Shutdown flushes the spans still queued and stops the exporter, within ctx.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	if err := t.provider.Shutdown(ctx); err != nil {
		return fmt.Errorf("flush spans: %w", err)
	}
	return nil
}

// Provider is the tracer provider, for tests and embedding programs.
func (t *Tracing) Provider() trace.TracerProvider { return t.provider }

// middleware traces one named route: a server span named "METHOD route" with the
// http.route attribute, continuing a W3C traceparent from the caller. Off, it is next.
func (t *Tracing) middleware(route string, next http.Handler) http.Handler {
	if t == nil {
		return next
	}
	opts := []otelhttp.Option{
		otelhttp.WithTracerProvider(t.provider),
		otelhttp.WithPropagators(t.propagator),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()), // metrics come from client_golang
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			if route == OtherRoute {
				return normalizeMethod(r.Method) // semconv: no route, the method alone
			}
			return normalizeMethod(r.Method) + " " + route
		}),
	}
	if route != OtherRoute {
		opts = append(opts, otelhttp.WithSpanOptions(trace.WithAttributes(semconv.HTTPRoute(route))))
	}
	traced := otelhttp.NewHandler(next, route, opts...)
	if route != OtherRoute {
		return traced
	}
	// The catch-all's pattern "/" is no route: without it otelhttp sets no http.route.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Pattern = ""
		traced.ServeHTTP(w, r)
	})
}

// TraceLogHandler adds trace_id and span_id to every record logged with the context of
// a traced request, so a log line (in Loki) links to its trace.
type TraceLogHandler struct{ slog.Handler }

func (h TraceLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h TraceLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return TraceLogHandler{h.Handler.WithAttrs(attrs)}
}

func (h TraceLogHandler) WithGroup(name string) slog.Handler {
	return TraceLogHandler{h.Handler.WithGroup(name)}
}
