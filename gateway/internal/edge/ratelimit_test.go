package edge

import (
	"fmt"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestRateLimiterRefillAndRetry(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_000_000, 0)}
	l := newRateLimiter(map[rateClass]rateSpec{classAuth: mustSpec(t, "10/m,burst=5")}, 1000, clk.now)
	k := limitKey{kind: keyIP, id: "192.0.2.1"}
	for i := range 5 {
		if _, ref := l.take(classAuth, k); ref != nil {
			t.Fatalf("within burst %d: %+v", i, ref)
		}
	}
	_, ref := l.take(classAuth, k)
	if ref == nil || ref.retry != 6*time.Second || ref.key != k {
		t.Fatalf("refusal %+v, want retry 6s (10/m)", ref)
	}
	// A refusal takes nothing: 6s later exactly one token is there.
	clk.t = clk.t.Add(6 * time.Second)
	if _, ref := l.take(classAuth, k); ref != nil {
		t.Fatalf("after refill: %+v", ref)
	}
	if _, ref := l.take(classAuth, k); ref == nil {
		t.Fatal("second after one refill allowed")
	}
	// A class that is off, or not configured, is never limited.
	l2 := newRateLimiter(map[rateClass]rateSpec{classAuth: {Off: true}}, 1000, clk.now)
	for range 100 {
		if c, ref := l2.take(classAuth, k); c != nil || ref != nil {
			t.Fatal("off class charged")
		}
		if _, ref := l2.take(classRead, k); ref != nil {
			t.Fatal("unconfigured class limited")
		}
	}
}

// At most maxKeys buckets are kept; past the cap new keys share one bucket per class; idle
// (refilled) buckets are swept and their room reused.
func TestRateLimiterKeyCap(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_000_000, 0)}
	const maxKeys = limiterShards * 4
	l := newRateLimiter(map[rateClass]rateSpec{classRead: mustSpec(t, "1/s,burst=2")}, maxKeys, clk.now)
	shared := 0
	for i := range 10_000 {
		_, ref := l.take(classRead, limitKey{kind: keyIP, id: fmt.Sprintf("10.0.%d.%d", i/256, i%256)})
		if ref != nil && ref.key.kind == keyShared {
			shared++
		}
	}
	if n := l.size(); n > maxKeys {
		t.Fatalf("%d buckets kept, cap %d", n, maxKeys)
	}
	// The shared bucket (burst 2) let two untracked keys through, then refused the rest.
	if shared < 10_000-maxKeys-2 {
		t.Errorf("only %d refusals on the shared bucket", shared)
	}
	// Every bucket refills within 2s; a new key then gets its own bucket (after a sweep).
	clk.t = clk.t.Add(3 * time.Second)
	if _, ref := l.take(classRead, limitKey{kind: keyIP, id: "192.0.2.200"}); ref != nil {
		t.Fatalf("after the sweep: %+v", ref)
	}
	// The periodic sweep empties idle buckets even below the cap.
	clk.t = clk.t.Add(sweepEvery + time.Second)
	for i := range 200 {
		l.take(classRead, limitKey{kind: keyUser, id: fmt.Sprintf("u-%d", i)})
	}
	if n := l.size(); n > maxKeys {
		t.Fatalf("%d buckets after the sweep", n)
	}
}

func TestRetrySeconds(t *testing.T) {
	for d, want := range map[time.Duration]int{0: 1, time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, 6 * time.Second: 6, 59500 * time.Millisecond: 60} {
		if got := retrySeconds(d); got != want {
			t.Errorf("retrySeconds(%v) = %d, want %d", d, got, want)
		}
	}
}
