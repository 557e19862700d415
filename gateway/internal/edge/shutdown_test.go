package edge

import (
	"slices"
	"testing"
	"time"
)

func TestShutdownDeadlineGivesUpOnTheRunningStepAndTheRest(t *testing.T) {
	got := make(chan []string, 1)
	dl := NewShutdownDeadline(100*time.Millisecond, ShutdownSteps, func(g []string) { got <- g })
	t0 := time.Now()
	dl.Start()
	dl.Step(StepHTTPServer)
	dl.Step(StepBackends)
	dl.Step(StepTelemetry) // and hangs there
	select {
	case g := <-got:
		if !slices.Equal(g, []string{StepTelemetry, StepLogs}) {
			t.Errorf("gave up on %q", g)
		}
		if took := time.Since(t0); took < 90*time.Millisecond || took > 2*time.Second {
			t.Errorf("expired after %v", took)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("deadline never expired")
	}
	if dl.Finish() {
		t.Error("Finish after expiry reported success")
	}
}

func TestShutdownDeadlineFinishedInTimeNeverFires(t *testing.T) {
	fired := make(chan []string, 1)
	dl := NewShutdownDeadline(50*time.Millisecond, ShutdownSteps, func(g []string) { fired <- g })
	dl.Start()
	dl.Step(StepLogs)
	if !dl.Finish() {
		t.Fatal("Finish in time reported expiry")
	}
	select {
	case g := <-fired:
		t.Fatalf("fired after Finish: %q", g)
	case <-time.After(150 * time.Millisecond):
	}
}

func TestShutdownDeadlineRemaining(t *testing.T) {
	dl := NewShutdownDeadline(time.Second, ShutdownSteps, func([]string) {})
	if dl.Remaining() != time.Second {
		t.Errorf("before Start: %v", dl.Remaining())
	}
	dl.Start()
	time.Sleep(20 * time.Millisecond)
	if r := dl.Remaining(); r >= time.Second || r < 500*time.Millisecond {
		t.Errorf("after Start: %v", r)
	}
	dl.Finish()
	var none *ShutdownDeadline // Run in tests has none
	none.Start()
	none.Step(StepBackends)
	if !none.Finish() || none.Remaining() <= 0 {
		t.Error("nil deadline misbehaves")
	}
}

func TestGaveUpOnNamesWhatHungNotTheLastFlushes(t *testing.T) {
	for _, c := range []struct{ unfinished, want []string }{
		{[]string{StepHTTPServer, StepBackends, StepTelemetry, StepLogs}, []string{StepHTTPServer, StepBackends}},
		{[]string{StepTelemetry, StepLogs}, []string{StepTelemetry}},
		{[]string{StepLogs}, []string{StepLogs}},
	} {
		if got := GaveUpOn(c.unfinished); !slices.Equal(got, c.want) {
			t.Errorf("GaveUpOn(%q) = %q, want %q", c.unfinished, got, c.want)
		}
	}
}
