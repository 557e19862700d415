package edge

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/metric"
)

const (
	// logFlushInterval bounds how long a line waits in memory before it reaches stdout.
	logFlushInterval = 200 * time.Millisecond
	// logFlushAt wakes the flusher early once this much is waiting (bursts).
	logFlushAt = 64 << 10
	// logMaxBuffered is the most that may wait; past it lines are dropped, never waited for.
	logMaxBuffered = 1 << 20
)

// LogWriter is the process's log output: a buffered, non-blocking io.Writer in front of
// stdout. Write copies the line into memory and returns; a goroutine writes what has
// gathered every logFlushInterval (sooner past logFlushAt bytes), and Flush and Close
// write it at once. So a request never waits for the pipe behind stdout, and stdout sees
// one write per batch instead of one per request.
//
// When the output falls so far behind that logMaxBuffered bytes are waiting, further lines
// are dropped (not waited for) and counted: a WARN line with the count follows the next
// successful batch, and Dropped / RegisterMetrics expose the total. Lines are never split
// or reordered. A line written after Close goes straight to the output.
type LogWriter struct {
	out      io.Writer
	max      int
	flushAt  int
	reporter *slog.Logger // writes the "lines dropped" warning to out

	mu      sync.Mutex // guards buf, closed, dropped
	buf     []byte
	closed  bool
	dropped uint64 // since the last warning

	outMu sync.Mutex // serialises writes to out; taken before mu
	spare []byte     // the other buffer, guarded by outMu

	droppedTotal atomic.Uint64

	kick      chan struct{}
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// NewLogWriter starts a LogWriter on out (os.Stdout in main). Close it on the way out.
func NewLogWriter(out io.Writer) *LogWriter {
	return newLogWriter(out, logFlushInterval, logFlushAt, logMaxBuffered)
}

func newLogWriter(out io.Writer, interval time.Duration, flushAt, maxBuffered int) *LogWriter {
	w := &LogWriter{
		out:      out,
		max:      maxBuffered,
		flushAt:  flushAt,
		reporter: slog.New(slog.NewJSONHandler(out, nil)).With(slog.String("service", serviceName)),
		buf:      make([]byte, 0, min(flushAt, maxBuffered)),
		spare:    make([]byte, 0, min(flushAt, maxBuffered)),
		kick:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go w.run(interval)
	return w
}

// Write buffers p (one log line) and never blocks on the output.
func (w *LogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		w.outMu.Lock()
		defer w.outMu.Unlock()
		return w.out.Write(p)
	}
	if len(w.buf)+len(p) > w.max {
		w.dropped++
		w.mu.Unlock()
		w.droppedTotal.Add(1)
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	full := len(w.buf) >= w.flushAt
	w.mu.Unlock()
	if full {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// Dropped is the number of lines dropped since the start because the buffer was full.
func (w *LogWriter) Dropped() uint64 { return w.droppedTotal.Load() }

// Flush writes everything buffered so far, and returns the output's error.
func (w *LogWriter) Flush() error {
	w.outMu.Lock()
	defer w.outMu.Unlock()
	return w.flushLocked(false)
}

// Close stops the flusher and writes what is left; later writes go straight through.
// It is safe to call more than once.
func (w *LogWriter) Close() error {
	w.closeOnce.Do(func() {
		close(w.stop)
		<-w.done
		w.outMu.Lock()
		defer w.outMu.Unlock()
		w.closeErr = w.flushLocked(true)
	})
	return w.closeErr
}

// flushLocked swaps the buffers and writes the full one; outMu is held, so writers keep
// appending to the other buffer meanwhile.
func (w *LogWriter) flushLocked(closing bool) error {
	w.mu.Lock()
	pending := w.buf
	w.buf = w.spare[:0]
	dropped := w.dropped
	w.dropped = 0
	if closing {
		w.closed = true
	}
	w.mu.Unlock()

	var err error
	if len(pending) > 0 {
		_, err = w.out.Write(pending)
	}
	if dropped > 0 {
		w.reporter.LogAttrs(context.Background(), slog.LevelWarn, "log output too slow: lines dropped",
			slog.Uint64("dropped", dropped), slog.Uint64("dropped_total", w.droppedTotal.Load()))
	}
	if cap(pending) <= 2*logFlushAt {
		w.spare = pending[:0]
	} else {
		w.spare = make([]byte, 0, logFlushAt) // a burst grew it: do not keep the memory
	}
	return err
}

func (w *LogWriter) run(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
		case <-w.kick:
		}
		_ = w.Flush()
	}
}

// RegisterMetrics exports the dropped-line count as edge.log.lines_dropped (Prometheus:
// edge_log_lines_dropped_total).
func (w *LogWriter) RegisterMetrics(m metric.Meter) error {
	_, err := m.Int64ObservableCounter("edge.log.lines_dropped",
		metric.WithUnit("{line}"),
		metric.WithDescription("Log lines dropped because stdout could not keep up"),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(int64(w.Dropped()))
			return nil
		}))
	return err
}
