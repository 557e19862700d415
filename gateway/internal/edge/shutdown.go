package edge

import (
	"sync"
	"time"
)

// Shutdown steps of the edge, in the order they run (main.go and Run mark each one).
const (
	StepHTTPServer = "http server"
	StepBackends   = "backend connections"
	StepTelemetry  = "telemetry"
	StepLogs       = "logs"
)

// ShutdownSteps is the plan ShutdownDeadline reports against.
var ShutdownSteps = []string{StepHTTPServer, StepBackends, StepTelemetry, StepLogs}

// ShutdownDeadline bounds the edge's whole way out (SIGTERM or a lost lifeline to exit): if
// the steps have not all finished when it passes, onExpire gets the step that was running and
// those never reached, and is expected to exit. http.Server.Shutdown is bounded by the grace
// period already; this also covers what comes after it (a telemetry exporter or stdout that
// blocks), so the pod never waits for the kubelet's SIGKILL.
type ShutdownDeadline struct {
	limit    time.Duration
	steps    []string
	onExpire func(gaveUpOn []string)

	mu       sync.Mutex
	next     int // index of the running step
	timer    *time.Timer
	started  time.Time
	finished bool
	expired  bool
}

// NewShutdownDeadline prepares the deadline; Start arms it.
func NewShutdownDeadline(limit time.Duration, steps []string, onExpire func(gaveUpOn []string)) *ShutdownDeadline {
	return &ShutdownDeadline{limit: limit, steps: steps, onExpire: onExpire}
}

// Start arms the deadline (the first call only). Safe on a nil receiver (tests without one).
func (d *ShutdownDeadline) Start() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		return
	}
	d.started = time.Now()
	d.timer = time.AfterFunc(d.limit, d.expire)
}

// Step records that the named step is now running (the ones before it are done).
func (d *ShutdownDeadline) Step(name string) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := d.next; i < len(d.steps); i++ {
		if d.steps[i] == name {
			d.next = i
			return
		}
	}
}

// Remaining is the time left before the deadline (the whole limit before Start; a large value
// on a nil receiver).
func (d *ShutdownDeadline) Remaining() time.Duration {
	if d == nil {
		return time.Hour
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer == nil {
		return d.limit
	}
	return max(0, d.limit-time.Since(d.started))
}

// Finish disarms the deadline once every step is done. It returns false when the deadline had
// already passed (onExpire is running or ran).
func (d *ShutdownDeadline) Finish() bool {
	if d == nil {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.finished = true
	if d.timer != nil {
		d.timer.Stop()
	}
	return !d.expired
}

func (d *ShutdownDeadline) expire() {
	d.mu.Lock()
	if d.finished {
		d.mu.Unlock()
		return
	}
	d.expired = true
	gaveUpOn := append([]string(nil), d.steps[d.next:]...)
	d.mu.Unlock()
	d.onExpire(gaveUpOn)
}

// Limit is the configured deadline.
func (d *ShutdownDeadline) Limit() time.Duration { return d.limit }

// GaveUpOn is what the forced exit reports from the unfinished steps: the one that hung and
// those never reached, except the telemetry and log flushes, which still get a short chance on
// the way out (unless one of them is what hung).
func GaveUpOn(unfinished []string) []string {
	named := []string{}
	for i, step := range unfinished {
		if i == 0 || (step != StepTelemetry && step != StepLogs) {
			named = append(named, step)
		}
	}
	return named
}
