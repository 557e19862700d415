package edge

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// ReadyCheckTimeout bounds each backend's health check in /readyz.
const ReadyCheckTimeout = time.Second

type backendReport struct {
	Name   string `json:"name"`
	Status string `json:"status"`          // SERVING, NOT_SERVING, UNREACHABLE, ...
	Error  string `json:"error,omitempty"` // gRPC code when the check failed
}

type readyReport struct {
	Status   string          `json:"status"` // ok | degraded | unavailable
	NotReady []string        `json:"notReady"`
	Backends []backendReport `json:"backends"`
}

// healthz: the process is alive and serving HTTP; it never looks at backends.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz: partial availability. 200 "ok" when every backend answers
// grpc.health.v1.Health/Check for the overall service ("") with SERVING within
// ReadyCheckTimeout; 200 "degraded" while at least one does (the edge keeps serving the
// routes whose backend is up - catalog down must not take login and order status out of
// the load balancer - and a route whose backend is down answers 503 UNAVAILABLE by
// itself); 503 "unavailable" only when none does. notReady names the backends that are
// not ready either way. Checks run in parallel over the shared connections.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	reports := make([]backendReport, len(s.backends))
	var wg sync.WaitGroup
	for i, b := range s.backends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i] = checkBackend(r.Context(), b)
		}()
	}
	wg.Wait()
	out := readyReport{Status: "ok", NotReady: []string{}, Backends: reports}
	for _, rep := range reports {
		if rep.Status != healthpb.HealthCheckResponse_SERVING.String() {
			out.NotReady = append(out.NotReady, rep.Name)
		}
	}
	code := http.StatusOK
	switch {
	case len(out.NotReady) == len(reports):
		out.Status = "unavailable"
		code = http.StatusServiceUnavailable
	case len(out.NotReady) > 0:
		out.Status = "degraded"
	}
	writeJSON(w, code, out)
}

func checkBackend(ctx context.Context, b *backend) backendReport {
	ctx, cancel := context.WithTimeout(ctx, ReadyCheckTimeout)
	defer cancel()
	rep := backendReport{Name: b.cfg.Name} // no address: /readyz is reachable from outside
	resp, err := healthpb.NewHealthClient(b.conn).Check(ctx, &healthpb.HealthCheckRequest{Service: ""})
	if err != nil {
		code := status.Code(err)
		rep.Error = code.String()
		switch code {
		case codes.Unavailable, codes.DeadlineExceeded:
			rep.Status = "UNREACHABLE"
		case codes.Unimplemented:
			rep.Status = "NO_HEALTH_SERVICE"
		case codes.NotFound:
			rep.Status = "SERVICE_UNKNOWN"
		default:
			rep.Status = "CHECK_FAILED"
		}
		return rep
	}
	rep.Status = resp.GetStatus().String()
	return rep
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	buf, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"status":"error"}`, http.StatusInternalServerError)
		return
	}
	buf = append(buf, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(code)
	_, _ = w.Write(buf)
}
