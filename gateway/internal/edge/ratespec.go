package edge

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// rateClass is a route's rate-limit class (routepolicy.go decides which route is which).
type rateClass string

const (
	// classAuth: creating sessions and registering users (password guessing, sign-up spam).
	classAuth rateClass = "auth"
	// classOrder: placing and cancelling orders (each starts or changes a saga).
	classOrder rateClass = "order"
	// classRead: everything else (catalog, stock, reading one's orders).
	classRead rateClass = "read"
)

// rateClasses in a fixed order (config, logs, tests).
var rateClasses = []rateClass{classAuth, classOrder, classRead}

// rateEnv is the variable configuring each class.
var rateEnv = map[rateClass]envSpec{
	classAuth:  {"EDGE_RATE_LIMIT_AUTH", "10/m,burst=5"},
	classOrder: {"EDGE_RATE_LIMIT_ORDER", "30/m,burst=10"},
	classRead:  {"EDGE_RATE_LIMIT_READ", "20/s,burst=40"},
}

// rateSpec is one class's token bucket: `count` requests per `per`, up to `burst` at once.
// Off disables the class.
type rateSpec struct {
	Off   bool
	Count int
	Per   time.Duration
	Burst int
}

// limit is the bucket's refill rate.
func (s rateSpec) limit() rate.Limit { return rate.Limit(float64(s.Count) / s.Per.Seconds()) }

// String is the spec in the variable's format ("10/m,burst=5", "off").
func (s rateSpec) String() string {
	if s.Off {
		return "off"
	}
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "m", time.Hour: "h"}[s.Per]
	return fmt.Sprintf("%d/%s,burst=%d", s.Count, unit, s.Burst)
}

const (
	maxRateCount = 1_000_000
	maxRateBurst = 1_000_000
)

// parseRateSpec reads `off` or `<n>/<s|m|h>[,burst=<n>]`; burst defaults to n.
func parseRateSpec(v string) (rateSpec, error) {
	v = strings.ToLower(strings.ReplaceAll(v, " ", ""))
	if v == "off" {
		return rateSpec{Off: true}, nil
	}
	head, tail, hasBurst := strings.Cut(v, ",")
	n, unit, ok := strings.Cut(head, "/")
	if !ok {
		return rateSpec{}, errors.New("missing /<unit>")
	}
	count, err := strconv.Atoi(n)
	if err != nil || count < 1 || count > maxRateCount {
		return rateSpec{}, fmt.Errorf("the count must be a whole number between 1 and %d", maxRateCount)
	}
	per, ok := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}[unit]
	if !ok {
		return rateSpec{}, errors.New("the unit must be s, m or h")
	}
	s := rateSpec{Count: count, Per: per, Burst: count}
	if hasBurst {
		b, ok := strings.CutPrefix(tail, "burst=")
		burst, err := strconv.Atoi(b)
		if !ok || err != nil || burst < 1 || burst > maxRateBurst {
			return rateSpec{}, fmt.Errorf("burst must be burst=<n>, n between 1 and %d", maxRateBurst)
		}
		s.Burst = burst
	}
	return s, nil
}
