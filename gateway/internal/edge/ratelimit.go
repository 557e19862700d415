package edge

import (
	"hash/maphash"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate limiting: one token bucket per (route class, key), the key being a client address
// (IPv6: its /64) or a verified user subject. Buckets are per edge replica: with R replicas
// behind a load balancer a client gets up to R x the configured rate (the chart's Envoy
// rate limits are the cluster-wide bound, helm/README.md).
//
// Memory is bounded: at most maxKeys buckets in all. A bucket that has refilled to its burst
// is indistinguishable from a new one, so dropping it loses nothing; such idle buckets are
// swept every sweepEvery, and at once when a shard is full. When a shard is still full of
// active buckets, a key not yet tracked shares ONE bucket per class (same rate and burst)
// with every other untracked key ("shared" in the 429): a flood of spoofed or rotating
// addresses cannot grow memory, nor gain capacity; clients already tracked are unaffected.

const (
	limiterShards = 16
	// defaultRateLimitMaxBuckets: ~200 bytes each, so ~20 MiB at the cap (the edge's limit is 256 MiB).
	defaultRateLimitMaxBuckets = 100_000
	sweepEvery                 = time.Minute
	// fullSweepEvery bounds the O(n) sweep of a shard that stays full of active buckets.
	fullSweepEvery = time.Second
)

// keyKind says what a bucket is keyed on (ErrorInfo metadata keyKind, QuotaFailure subject).
type keyKind string

const (
	keyIP     keyKind = "ip"
	keyUser   keyKind = "user"
	keyShared keyKind = "shared" // over the key cap: the class's shared bucket
)

// limitKey is one bucket identity to charge.
type limitKey struct {
	kind keyKind
	id   string
}

type limiterShard struct {
	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	lastSweep time.Time
}

// rateLimiter holds the buckets of every class.
type rateLimiter struct {
	specs    map[rateClass]rateSpec
	shards   [limiterShards]limiterShard
	perShard int
	shared   map[rateClass]*rate.Limiter
	seed     maphash.Seed
	now      func() time.Time
}

func newRateLimiter(specs map[rateClass]rateSpec, maxKeys int, now func() time.Time) *rateLimiter {
	if maxKeys <= 0 {
		maxKeys = defaultRateLimitMaxBuckets
	}
	l := &rateLimiter{specs: specs, perShard: max(1, maxKeys/limiterShards),
		shared: map[rateClass]*rate.Limiter{}, seed: maphash.MakeSeed(), now: now}
	for c, s := range specs {
		if !s.Off {
			l.shared[c] = rate.NewLimiter(s.limit(), s.Burst)
		}
	}
	for i := range l.shards {
		l.shards[i].buckets = map[string]*rate.Limiter{}
		l.shards[i].lastSweep = now()
	}
	return l
}

// refusal says which bucket refused a request and when it may be retried.
type refusal struct {
	class rateClass
	spec  rateSpec
	key   limitKey
	retry time.Duration
}

// take charges one token to the key's bucket of the class. It returns nil, nil when the
// class is off; a refusal when the bucket is empty (nothing charged); else the reservation,
// whose giveBack returns the token (a user refused on its own bucket must not eat its
// neighbours' shared address quota).
func (l *rateLimiter) take(class rateClass, k limitKey) (*charge, *refusal) {
	spec, ok := l.specs[class]
	if !ok || spec.Off {
		return nil, nil
	}
	now := l.now()
	lim, kind := l.bucket(class, spec, k, now)
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); !r.OK() || d > 0 {
		r.CancelAt(now)
		if !r.OK() {
			d = spec.Per
		}
		return nil, &refusal{class: class, spec: spec, key: limitKey{kind: kind, id: k.id}, retry: d}
	}
	return &charge{r: r, at: now}, nil
}

// charge is one token taken from a bucket.
type charge struct {
	r  *rate.Reservation
	at time.Time
}

// giveBack returns the token (nil-safe). Cancelled at the reservation's own time: x/time/rate
// ignores a cancellation dated after the reserved moment.
func (c *charge) giveBack() {
	if c != nil {
		c.r.CancelAt(c.at)
	}
}

// bucket returns the key's bucket, creating it when there is room (else the shared one).
func (l *rateLimiter) bucket(class rateClass, spec rateSpec, k limitKey, now time.Time) (*rate.Limiter, keyKind) {
	name := string(class) + "|" + string(k.kind) + "|" + k.id
	sh := &l.shards[maphash.String(l.seed, name)%limiterShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if b, ok := sh.buckets[name]; ok {
		return b, k.kind
	}
	if now.Sub(sh.lastSweep) >= sweepEvery || (len(sh.buckets) >= l.perShard && now.Sub(sh.lastSweep) >= fullSweepEvery) {
		l.sweepLocked(sh, now)
	}
	if len(sh.buckets) >= l.perShard {
		return l.shared[class], keyShared
	}
	b := rate.NewLimiter(spec.limit(), spec.Burst)
	sh.buckets[name] = b
	return b, k.kind
}

// sweepLocked drops the buckets that have refilled to their burst (lossless: a fresh bucket
// starts full).
func (l *rateLimiter) sweepLocked(sh *limiterShard, now time.Time) {
	sh.lastSweep = now
	for name, b := range sh.buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(sh.buckets, name)
		}
	}
}

// size is the number of tracked buckets (tests, metrics).
func (l *rateLimiter) size() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.buckets)
		sh.mu.Unlock()
	}
	return n
}
