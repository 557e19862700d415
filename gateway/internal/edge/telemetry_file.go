package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// spanLine is one span as one JSON line: the format of OTEL_TRACES_EXPORTER=file, the same
// the Node processes write (packages/kit/src/telemetry/file-exporters.ts).
type spanLine struct {
	TraceID           string           `json:"traceId"`
	SpanID            string           `json:"spanId"`
	ParentSpanID      string           `json:"parentSpanId,omitempty"`
	Name              string           `json:"name"`
	Kind              string           `json:"kind"`
	Service           string           `json:"service"`
	Scope             string           `json:"scope"`
	StartTimeUnixNano string           `json:"startTimeUnixNano"`
	EndTimeUnixNano   string           `json:"endTimeUnixNano"`
	DurationMs        float64          `json:"durationMs"`
	Status            spanLineStatus   `json:"status"`
	Attributes        map[string]any   `json:"attributes"`
	Events            []spanLineEvent  `json:"events,omitempty"`
	Links             []spanLineLinkTo `json:"links,omitempty"`
}

type spanLineStatus struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

type spanLineEvent struct {
	Name         string         `json:"name"`
	TimeUnixNano string         `json:"timeUnixNano"`
	Attributes   map[string]any `json:"attributes,omitempty"`
}

type spanLineLinkTo struct {
	TraceID string `json:"traceId"`
	SpanID  string `json:"spanId"`
}

// fileSpanExporter appends one JSON line per span to a file (O_APPEND, one write per
// batch, so several processes may share the file).
type fileSpanExporter struct {
	mu sync.Mutex
	f  *os.File
}

func newFileSpanExporter(path string) (*fileSpanExporter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &fileSpanExporter{f: f}, nil
}

func attrMap(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

func toSpanLine(s sdktrace.ReadOnlySpan) spanLine {
	sc := s.SpanContext()
	start, end := s.StartTime().UnixNano(), s.EndTime().UnixNano()
	service := ""
	if v, ok := s.Resource().Set().Value("service.name"); ok {
		service = v.AsString()
	}
	line := spanLine{
		TraceID:           sc.TraceID().String(),
		SpanID:            sc.SpanID().String(),
		Name:              s.Name(),
		Kind:              strings.ToUpper(s.SpanKind().String()),
		Service:           service,
		Scope:             s.InstrumentationScope().Name,
		StartTimeUnixNano: strconv.FormatInt(start, 10),
		EndTimeUnixNano:   strconv.FormatInt(end, 10),
		DurationMs:        float64(end-start) / 1e6,
		Status:            spanLineStatus{Code: strings.ToUpper(s.Status().Code.String()), Message: s.Status().Description},
		Attributes:        attrMap(s.Attributes()),
	}
	if p := s.Parent(); p.IsValid() {
		line.ParentSpanID = p.SpanID().String()
	}
	for _, e := range s.Events() {
		ev := spanLineEvent{Name: e.Name, TimeUnixNano: strconv.FormatInt(e.Time.UnixNano(), 10)}
		if len(e.Attributes) > 0 {
			ev.Attributes = attrMap(e.Attributes)
		}
		line.Events = append(line.Events, ev)
	}
	for _, l := range s.Links() {
		line.Links = append(line.Links, spanLineLinkTo{TraceID: l.SpanContext.TraceID().String(), SpanID: l.SpanContext.SpanID().String()})
	}
	return line
}

// ExportSpans implements sdktrace.SpanExporter.
func (e *fileSpanExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	var buf []byte
	for _, s := range spans {
		b, err := json.Marshal(toSpanLine(s))
		if err != nil {
			return fmt.Errorf("encode span: %w", err)
		}
		buf = append(append(buf, b...), '\n')
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.f == nil {
		return nil
	}
	_, err := e.f.Write(buf)
	return err
}

// Shutdown implements sdktrace.SpanExporter.
func (e *fileSpanExporter) Shutdown(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.f == nil {
		return nil
	}
	err := e.f.Close()
	e.f = nil
	return err
}
