package edge

import (
	"encoding/hex"
	"io"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"
)

const accessMsg = "http request"

// accessEntry is what one access log line says.
type accessEntry struct {
	level         slog.Level
	method        string
	path          string
	status        int
	duration      time.Duration
	bytes         int64
	requestID     string
	headerTraceID string // the caller's traceparent trace id, logged when no span is in the context
	remoteIP      string // "" = not logged
	span          trace.SpanContext
}

func (e *accessEntry) durationMs() float64 { return float64(e.duration.Microseconds()) / 1000 }

// attrs are the entry as slog attributes; traceLogHandler adds the span's ids.
func (e *accessEntry) attrs() []slog.Attr {
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("method", e.method),
		slog.String("path", e.path),
		slog.Int("status", e.status),
		slog.Float64("duration_ms", e.durationMs()),
		slog.Int64("bytes", e.bytes),
		slog.String("request_id", e.requestID),
	)
	if e.headerTraceID != "" {
		attrs = append(attrs, slog.String("trace_id", e.headerTraceID))
	}
	if e.remoteIP != "" {
		attrs = append(attrs, slog.String("remote_ip", e.remoteIP))
	}
	return attrs
}

// accessLineWriter writes access lines for a logger made by NewLogger, byte for byte what
// its slog JSON handler would write for e.attrs(), without slog's per-record work (caller
// lookup, attribute slices, json.Marshal of the float duration).
type accessLineWriter struct {
	w       io.Writer // shared with the logger's JSON handler (a lockedWriter)
	service string
}

var accessLinePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (aw *accessLineWriter) write(t time.Time, e *accessEntry) {
	bp := accessLinePool.Get().(*[]byte)
	buf := appendAccessLine((*bp)[:0], t, aw.service, e)
	_, _ = aw.w.Write(buf)
	if cap(buf) <= 4<<10 {
		*bp = buf
		accessLinePool.Put(bp)
	}
}

// appendAccessLine renders e in the order slog's JSONHandler uses: time, level, msg, the
// logger's attrs (service), the record's attrs, then traceLogHandler's trace_id/span_id.
func appendAccessLine(b []byte, t time.Time, service string, e *accessEntry) []byte {
	b = append(b, `{"time":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":`...)
	b = appendJSONString(b, e.level.String())
	b = append(b, `,"msg":"`+accessMsg+`","service":`...)
	b = appendJSONString(b, service)
	b = append(b, `,"method":`...)
	b = appendJSONString(b, e.method)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, e.path)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(e.status), 10)
	b = append(b, `,"duration_ms":`...)
	b = appendJSONFloat(b, e.durationMs())
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, e.bytes, 10)
	b = append(b, `,"request_id":`...)
	b = appendJSONString(b, e.requestID)
	if e.headerTraceID != "" {
		b = append(b, `,"trace_id":`...)
		b = appendJSONString(b, e.headerTraceID)
	}
	if e.remoteIP != "" {
		b = append(b, `,"remote_ip":`...)
		b = appendJSONString(b, e.remoteIP)
	}
	if e.span.IsValid() {
		tid, sid := e.span.TraceID(), e.span.SpanID()
		b = append(b, `,"trace_id":"`...)
		b = hex.AppendEncode(b, tid[:])
		b = append(b, `","span_id":"`...)
		b = hex.AppendEncode(b, sid[:])
		b = append(b, '"')
	}
	return append(b, "}\n"...)
}

// appendJSONFloat formats f as encoding/json does (slog uses json.Marshal for floats).
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, '0')
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-09 -> e-9
		b = b[:n-1]
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as slog's JSON handler does: ", \ and control characters
// escaped (\n \r \t by name), invalid UTF-8 as \ufffd, U+2028/U+2029 escaped, HTML
// characters left alone.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
