package edge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func numberedLine(writer, i int) string { return fmt.Sprintf("w%d line %06d\n", writer, i) }

// Every line arrives, in order and whole, once the writer is closed.
func TestLogWriterEveryLineArrives(t *testing.T) {
	out := &syncBuffer{}
	w := newLogWriter(out, 5*time.Millisecond, 1<<10, 1<<20)
	var want strings.Builder
	for i := range 20000 {
		l := numberedLine(0, i)
		want.WriteString(l)
		if n, err := w.Write([]byte(l)); n != len(l) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != want.String() {
		t.Fatalf("output differs: got %d bytes, want %d", len(out.String()), want.Len())
	}
	if w.Dropped() != 0 {
		t.Fatalf("dropped %d", w.Dropped())
	}
}

// Lines reach the output within the flush interval without Flush or Close, but not at
// once (one write per batch, not per line).
func TestLogWriterFlushesPeriodically(t *testing.T) {
	out := &syncBuffer{}
	w := newLogWriter(out, 50*time.Millisecond, 1<<20, 1<<20)
	defer w.Close()
	_, _ = w.Write([]byte("first\n"))
	if out.String() != "" {
		t.Fatal("written synchronously")
	}
	deadline := time.Now().Add(3 * time.Second)
	for out.String() != "first\n" {
		if time.Now().After(deadline) {
			t.Fatalf("not flushed by the ticker: %q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Close writes what is buffered (the shutdown path); later writes go straight through;
// Close twice is fine; Flush writes at once.
func TestLogWriterFlushAndClose(t *testing.T) {
	out := &syncBuffer{}
	w := newLogWriter(out, time.Hour, 1<<20, 1<<20)
	_, _ = w.Write([]byte("a\n"))
	if err := w.Flush(); err != nil || out.String() != "a\n" {
		t.Fatalf("after Flush: %q, %v", out.String(), err)
	}
	_, _ = w.Write([]byte("b\n"))
	if out.String() != "a\n" {
		t.Fatalf("written before Close: %q", out.String())
	}
	if err := w.Close(); err != nil || out.String() != "a\nb\n" {
		t.Fatalf("after Close: %q, %v", out.String(), err)
	}
	_, _ = w.Write([]byte("c\n"))
	if err := w.Close(); err != nil || out.String() != "a\nb\nc\n" {
		t.Fatalf("after a second Close: %q, %v", out.String(), err)
	}
}

// Concurrent writers (run with -race): every line arrives whole, exactly once, and each
// writer's lines in its order.
func TestLogWriterConcurrentWriters(t *testing.T) {
	out := &syncBuffer{}
	w := newLogWriter(out, time.Millisecond, 512, 1<<22)
	const writers, lines = 8, 3000
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				_, _ = w.Write([]byte(numberedLine(g, i)))
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var g, i int
		if _, err := fmt.Sscanf(l, "w%d line %d", &g, &i); err != nil || l != strings.TrimSuffix(numberedLine(g, i), "\n") {
			t.Fatalf("torn line %q", l)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d after %d", g, i, next[g]-1)
		}
		next[g]++
	}
	for g, n := range next {
		if n != lines {
			t.Fatalf("writer %d: %d of %d lines", g, n, lines)
		}
	}
}

// gateWriter blocks every Write until the gate is opened: a stuck stdout.
type gateWriter struct {
	entered chan struct{}
	gate    chan struct{}
	out     syncBuffer
}

func (g *gateWriter) Write(p []byte) (int, error) {
	select {
	case g.entered <- struct{}{}:
	default:
	}
	<-g.gate
	return g.out.Write(p)
}

// With the output stuck, Write never blocks: once the buffer is full, lines are dropped
// and counted, and a warning with the count follows when the output moves again.
func TestLogWriterFullBufferDropsAndReports(t *testing.T) {
	g := &gateWriter{entered: make(chan struct{}, 1), gate: make(chan struct{})}
	const lineLen, maxBuf = 32, 256
	w := newLogWriter(g, time.Hour, 2*lineLen, maxBuf)
	line := func(i int) []byte { return []byte(fmt.Sprintf("%-*d\n", lineLen-1, i)) }

	// Two lines reach the flush threshold: the flusher takes them and gets stuck.
	_, _ = w.Write(line(0))
	_, _ = w.Write(line(1))
	select {
	case <-g.entered:
	case <-time.After(3 * time.Second):
		t.Fatal("flusher did not start writing")
	}
	// The buffer takes maxBuf bytes more, then drops; no Write waits.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 2; i < 2+maxBuf/lineLen+5; i++ {
			_, _ = w.Write(line(i))
		}
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Write blocked on a stuck output")
	}
	if got := w.Dropped(); got != 5 {
		t.Fatalf("Dropped = %d, want 5", got)
	}

	close(g.gate)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(g.out.String(), "\n"), "\n")
	if len(lines) != 2+maxBuf/lineLen+1 {
		t.Fatalf("got %d lines:\n%s", len(lines), g.out.String())
	}
	for i, l := range lines[:len(lines)-1] {
		if n, err := strconv.Atoi(strings.TrimSpace(l)); err != nil || n != i {
			t.Fatalf("line %d = %q", i, l)
		}
	}
	var warn map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &warn); err != nil {
		t.Fatalf("warning line: %v: %s", err, lines[len(lines)-1])
	}
	if warn["level"] != "WARN" || warn["dropped"] != 5.0 || warn["dropped_total"] != 5.0 || warn["service"] != "edge" {
		t.Fatalf("warning line: %v", warn)
	}
}

// The edge's logger over a LogWriter: concurrent access lines and other lines all arrive
// as valid JSON.
func TestLoggerOverLogWriter(t *testing.T) {
	out := &syncBuffer{}
	lw := newLogWriter(out, time.Millisecond, 1<<10, 1<<22)
	logger := NewLogger(lw, 0)
	h := accessLog(logger, okHandler)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				serveTest(h, "/v1/products/SKU-1")
				logger.Info("other")
			}
		}()
	}
	wg.Wait()
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, l := range bytes.Split(bytes.TrimSuffix([]byte(out.String()), []byte("\n")), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("bad line %q: %v", l, err)
		}
		counts[m["msg"].(string)]++
	}
	if counts[accessMsg] != 2000 || counts["other"] != 2000 {
		t.Fatalf("lines per message: %v", counts)
	}
}
