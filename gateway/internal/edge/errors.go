package edge

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	commonv1 "meshcart/gen/go/shop/common/v1"
)

// ErrorDomain is the ErrorInfo domain of errors the edge raises itself.
const ErrorDomain = "edge.meshcart"

// Reasons (ErrorInfo.reason) of errors the edge raises itself: values of the one generated
// list, never strings typed here.
var (
	ReasonBodyTooLarge     = wireReason(commonv1.ErrorReason_ERROR_REASON_REQUEST_BODY_TOO_LARGE)
	ReasonMalformedBody    = wireReason(commonv1.ErrorReason_ERROR_REASON_MALFORMED_REQUEST_BODY)
	ReasonRouteNotFound    = wireReason(commonv1.ErrorReason_ERROR_REASON_ROUTE_NOT_FOUND)
	ReasonMethodNotAllowed = wireReason(commonv1.ErrorReason_ERROR_REASON_METHOD_NOT_ALLOWED)
	ReasonCORSOrigin       = wireReason(commonv1.ErrorReason_ERROR_REASON_CORS_ORIGIN_NOT_ALLOWED)
	ReasonBackendDown      = wireReason(commonv1.ErrorReason_ERROR_REASON_BACKEND_UNAVAILABLE)
	ReasonMalformedAuth    = wireReason(commonv1.ErrorReason_ERROR_REASON_MALFORMED_AUTHORIZATION_HEADER)
	ReasonRateLimited      = wireReason(commonv1.ErrorReason_ERROR_REASON_RATE_LIMITED)
	ReasonOverloaded       = wireReason(commonv1.ErrorReason_ERROR_REASON_OVERLOADED)
	ReasonTokenMissing     = wireReason(commonv1.ErrorReason_ERROR_REASON_TOKEN_MISSING)
	ReasonTokenInvalid     = wireReason(commonv1.ErrorReason_ERROR_REASON_TOKEN_INVALID)
	ReasonTokenExpired     = wireReason(commonv1.ErrorReason_ERROR_REASON_TOKEN_EXPIRED)
)

// unavailableReasons are backend reasons that mean "a dependency is down, retry later": 503
// whatever code carries them, never 500.
var unavailableReasons = map[string]bool{
	wireReason(commonv1.ErrorReason_ERROR_REASON_DB_UNAVAILABLE):         true,
	wireReason(commonv1.ErrorReason_ERROR_REASON_DATABASE_UNAVAILABLE):   true,
	wireReason(commonv1.ErrorReason_ERROR_REASON_DEPENDENCY_UNAVAILABLE): true,
	ReasonBackendDown: true,
}

// httpStatusByCode is THE gRPC -> HTTP status mapping of the edge. Codes not listed
// (UNKNOWN, INTERNAL, DATA_LOSS and anything unknown) answer 500.
var httpStatusByCode = map[codes.Code]int{
	codes.OK:                 http.StatusOK,
	codes.InvalidArgument:    http.StatusBadRequest,
	codes.FailedPrecondition: http.StatusBadRequest,
	codes.OutOfRange:         http.StatusBadRequest,
	codes.Unauthenticated:    http.StatusUnauthorized,
	codes.PermissionDenied:   http.StatusForbidden,
	codes.NotFound:           http.StatusNotFound,
	codes.AlreadyExists:      http.StatusConflict,
	codes.Aborted:            http.StatusConflict,
	codes.ResourceExhausted:  http.StatusTooManyRequests,
	codes.Canceled:           499, // client closed request (nginx convention)
	codes.Unimplemented:      http.StatusNotImplemented,
	codes.Unavailable:        http.StatusServiceUnavailable,
	codes.DeadlineExceeded:   http.StatusGatewayTimeout,
}

// HTTPStatus maps a gRPC code to the HTTP status the edge answers with.
func HTTPStatus(c codes.Code) int {
	if s, ok := httpStatusByCode[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// edgeError is an error the edge raises itself, with the HTTP status to answer when it
// differs from the table (413, 405).
type edgeError struct {
	httpStatus int
	st         *spb.Status
}

func (e *edgeError) Error() string { return e.st.GetMessage() }

// newEdgeError builds a google.rpc.Status with an ErrorInfo detail (domain ErrorDomain).
func newEdgeError(httpStatus int, code codes.Code, reason, msg string, md map[string]string, extra ...proto.Message) *edgeError {
	st := &spb.Status{Code: int32(code), Message: msg}
	details := append([]proto.Message{&errdetails.ErrorInfo{Reason: reason, Domain: ErrorDomain, Metadata: md}}, extra...)
	for _, d := range details {
		a, err := anypb.New(d)
		if err == nil {
			st.Details = append(st.Details, a)
		}
	}
	if httpStatus == 0 {
		httpStatus = HTTPStatus(code)
	}
	return &edgeError{httpStatus: httpStatus, st: st}
}

func bodyTooLarge(limit int64) *edgeError {
	return newEdgeError(http.StatusRequestEntityTooLarge, codes.InvalidArgument, ReasonBodyTooLarge,
		"request body exceeds "+strconv.FormatInt(limit, 10)+" bytes",
		map[string]string{"limitBytes": strconv.FormatInt(limit, 10)})
}

// errorWriter renders every error as a google.rpc.Status JSON body.
type errorWriter struct {
	marshaler runtime.Marshaler
	logger    *slog.Logger
	// refused counts the requests the edge answered itself (rate limited, shed, body too large,
	// unauthenticated, no route...) by reason and status: edge.requests.refused (Prometheus:
	// edge_requests_refused_total). Nil in tests that build an errorWriter by hand.
	refused metric.Int64Counter
}

// newRefusedCounter makes edge.requests.refused on the global meter provider (a no-op until
// StartTelemetry installed one, which main does before New).
func newRefusedCounter() metric.Int64Counter {
	c, err := otel.Meter("meshcart/edge").Int64Counter("edge.requests.refused",
		metric.WithUnit("{request}"),
		metric.WithDescription("Requests the edge answered itself, without a backend (by ErrorInfo reason and HTTP status)"))
	if err != nil {
		return nil
	}
	return c
}

// statusFor turns any error into (HTTP status, Status proto). Messages of server-side
// failures that carry no details (transport errors, panics, raw INTERNAL) are replaced
// by a generic text so addresses and causes never reach clients; they are logged.
func (ew *errorWriter) statusFor(ctx context.Context, r *http.Request, err error) (int, *spb.Status) {
	var ee *edgeError
	if errors.As(err, &ee) {
		return ee.httpStatus, ee.st
	}
	httpStatus := 0
	var hse *runtime.HTTPStatusError
	if errors.As(err, &hse) {
		httpStatus = hse.HTTPStatus
		err = hse.Err
	}
	st := status.Convert(err).Proto()
	code := codes.Code(st.GetCode())
	if httpStatus == 0 {
		httpStatus = backendHTTPStatus(code, statusReason(st))
	}
	// A body the JSON decoder rejected: tag it so clients get a reason like every other error.
	if code == codes.InvalidArgument && len(st.GetDetails()) == 0 {
		if b := bodyFromContext(ctx); b != nil && b.decodeFailed.Load() {
			e := newEdgeError(http.StatusBadRequest, codes.InvalidArgument, ReasonMalformedBody, st.GetMessage(), nil)
			return e.httpStatus, e.st
		}
	}
	if httpStatus >= 500 && len(st.GetDetails()) == 0 && code != codes.DeadlineExceeded && code != codes.Unimplemented {
		method, _ := runtime.RPCMethod(ctx)
		ew.logger.LogAttrs(ctx, slog.LevelWarn, "backend call failed",
			slog.String("rpc", method), slog.String("code", code.String()), slog.String("cause", st.GetMessage()),
			slog.String("request_id", r.Header.Get(headerRequestID)))
		generic := &spb.Status{Code: st.GetCode(), Message: "internal error"}
		if code == codes.Unavailable {
			generic = newEdgeError(0, codes.Unavailable, ReasonBackendDown, "service temporarily unavailable, retry later", nil).st
		}
		st = generic
	}
	return httpStatus, st
}

// backendHTTPStatus refines the table for backend statuses: RESOURCE_EXHAUSTED with reason
// OVERLOADED is the backend shedding load (503, retry soon, elsewhere); any other
// RESOURCE_EXHAUSTED (LOGIN_THROTTLED, OPEN_ORDER_LIMIT_REACHED...) is this client's quota (429);
// a dependency-down reason is 503 whatever its code.
func backendHTTPStatus(code codes.Code, reason string) int {
	switch {
	case code == codes.ResourceExhausted && reason == ReasonOverloaded:
		return http.StatusServiceUnavailable
	case unavailableReasons[reason] && code != codes.OK:
		return http.StatusServiceUnavailable
	}
	return HTTPStatus(code)
}

// statusReason is the ErrorInfo reason of a status ("" without one).
func statusReason(st *spb.Status) string {
	for _, d := range st.GetDetails() {
		info := &errdetails.ErrorInfo{}
		if d.MessageIs(info) && d.UnmarshalTo(info) == nil {
			return info.GetReason()
		}
	}
	return ""
}

// retryAfter is the Retry-After of a 429 or 503: the status's RetryInfo delay rounded up to
// whole seconds (at least 1), else 1 second for OVERLOADED; false = no header.
func retryAfter(st *spb.Status) (int, bool) {
	for _, d := range st.GetDetails() {
		ri := &errdetails.RetryInfo{}
		if d.MessageIs(ri) && d.UnmarshalTo(ri) == nil && ri.GetRetryDelay() != nil {
			return retrySeconds(ri.GetRetryDelay().AsDuration()), true
		}
	}
	if statusReason(st) == ReasonOverloaded {
		return 1, true
	}
	return 0, false
}

// retrySeconds rounds a delay up to whole seconds, at least 1 (Retry-After: 0 invites a
// client to hammer).
func retrySeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// handle is the grpc-gateway ErrorHandlerFunc.
func (ew *errorWriter) handle(ctx context.Context, _ *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	httpStatus, st := ew.statusFor(ctx, r, err)
	ew.write(w, m, httpStatus, st)
}

// routing is the grpc-gateway RoutingErrorHandlerFunc (unknown path, wrong method).
func (ew *errorWriter) routing(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpStatus int) {
	var e *edgeError
	switch httpStatus {
	case http.StatusNotFound:
		e = newEdgeError(http.StatusNotFound, codes.NotFound, ReasonRouteNotFound, "no route for "+r.URL.Path, nil)
	case http.StatusMethodNotAllowed:
		e = newEdgeError(http.StatusMethodNotAllowed, codes.Unimplemented, ReasonMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path, nil)
	case http.StatusBadRequest:
		e = newEdgeError(http.StatusBadRequest, codes.InvalidArgument, ReasonRouteNotFound, "malformed request path", nil)
	default:
		e = newEdgeError(httpStatus, codes.Internal, "ROUTING_ERROR", http.StatusText(httpStatus), nil)
	}
	ew.handle(ctx, mux, m, w, r, e)
}

// writeError renders err outside grpc-gateway (middleware: body limit, CORS, panics).
func (ew *errorWriter) writeError(w http.ResponseWriter, r *http.Request, err error) {
	httpStatus, st := ew.statusFor(r.Context(), r, err)
	if ew.refused != nil {
		ew.refused.Add(r.Context(), 1, metric.WithAttributes(
			attribute.String("reason", statusReason(st)),
			attribute.Int("http.response.status_code", httpStatus)))
	}
	ew.write(w, ew.marshaler, httpStatus, st)
}

func (ew *errorWriter) write(w http.ResponseWriter, m runtime.Marshaler, httpStatus int, st *spb.Status) {
	const fallback = `{"code":13,"message":"failed to marshal error","details":[]}`
	h := w.Header()
	h.Del("Trailer")
	h.Del("Transfer-Encoding")
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	if httpStatus == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="meshcart"`)
	}
	if httpStatus == http.StatusTooManyRequests || httpStatus == http.StatusServiceUnavailable {
		if secs, ok := retryAfter(st); ok {
			h.Set("Retry-After", strconv.Itoa(secs))
		}
	}
	buf, err := m.Marshal(st)
	if err != nil {
		ew.logger.Error("marshal error status", slog.String("err", err.Error()))
		h.Set("Content-Length", strconv.Itoa(len(fallback)))
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, fallback)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(httpStatus)
	_, _ = w.Write(buf)
}
