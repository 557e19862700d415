package edge

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Many slow uploads of a large declared body (the abuse the budget exists for): only as many
// as the budget covers are buffered, every other one is refused at once with 503, and the
// heap stays near the budget instead of uploads x body size.
func TestSlowUploadsStayWithinTheBudget(t *testing.T) {
	const (
		uploads  = 1000
		declared = 1 << 20 // each declares 1 MiB (the order limit here)
		budget   = 8 << 20
	)
	e := newTestEdge(t, func(c *Config) {
		c.MaxOrderBodyBytes, c.BodyBufferBytes = declared, budget
	})
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	var mu sync.Mutex
	statuses := map[int]int{}
	var conns []net.Conn
	var wg sync.WaitGroup
	for i := range uploads {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "POST /v1/orders HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			declared, `{"requestId":"r-`+fmt.Sprint(i)+`","paymentToken":"`+strings.Repeat("x", 1000))
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			code := 0 // no answer: still being read (holding budget)
			if err == nil {
				code = res.StatusCode
			}
			mu.Lock()
			statuses[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	var during runtime.MemStats
	runtime.ReadMemStats(&during)
	for _, c := range conns {
		_ = c.Close()
	}

	held, refused := statuses[0], statuses[http.StatusServiceUnavailable]
	if held > budget/declared || held+refused != uploads {
		t.Fatalf("statuses %v: want at most %d held and the rest 503", statuses, budget/declared)
	}
	grew := int64(during.HeapInuse) - int64(before.HeapInuse)
	t.Logf("%d slow uploads of %d bytes: %d buffered, %d refused with 503; heap grew %.1f MiB (budget %d MiB)",
		uploads, declared, held, refused, float64(grew)/(1<<20), budget>>20)
	if grew > budget+32<<20 {
		t.Errorf("heap grew %d bytes, far over the %d-byte budget", grew, budget)
	}
}
